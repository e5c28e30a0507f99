"""Per-tenant retrieval: quality on a labelled set, latency by size, ingestion throughput.

    .venv/bin/python bench/retrieval_bench.py [--sizes 1000 10000 100000] [--skip-migrate]

Creates (once) and uses its own database sanoweb_bench_retrieval on 127.0.0.1 (the roles that
scripts/services.sh makes), as the runtime role, so row-level security is in force as in
production. Quality: each demo team's formulary, with the other team's indexed beside it under
another name as a distractor (same headings, other facts), and the labelled questions in
bench/data/retrieval_labels.json (the answering section of the team's own formulary) →
recall@1, recall@5 and MRR for vectors only, full text only and hybrid. Latency: one tenant
with 1k / 10k / 100k synthetic chunks (random unit vectors; 4k texts of 120 words drawn
Zipf-like from a clinical list and 20k made-up words, reused): the first query (loading the
tenant's matrix), then warm p50/p95 of each method; compared with the chat
request's median total time from bench/results/inference.json when it is there. Ingestion:
a generated 200-passage document through scan, chunking, embedding and storage. Prints a
table, writes bench/results/retrieval.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "sanoweb_bench_retrieval"
PG = "127.0.0.1:5432"
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "sanoweb.settings", "HF_HUB_OFFLINE": "1",
    "SANOWEB_VAR_DIR": str(ROOT / "var" / "bench-retrieval"),
    "REDIS_URL": "redis://127.0.0.1:6379/6",
    "DATABASE_URL": f"postgres://sanoweb_app@{PG}/{DATABASE}",
    "DATABASE_OWNER_URL": f"postgres://sanoweb_owner@{PG}/{DATABASE}",
    "AUDIT_SEQUENCING": "inline",
})

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.pg_database import ensure_database  # noqa: E402
from knowledge import chunking, embeddings, ingest, retrieval  # noqa: E402
from knowledge.models import EMBEDDING_DIM, Chunk, Document, DocumentVersion  # noqa: E402
from tenants.models import Tenant  # noqa: E402
from tenants.scoping import tenant_scope  # noqa: E402

DOCUMENTS = ROOT / "demo" / "documents"
LABELS = json.loads((ROOT / "bench" / "data" / "retrieval_labels.json").read_text())
METHODS = ("vector", "text", "hybrid")
OTHER = {"northwind": "riverside", "riverside": "northwind"}


def prepare(skip_migrate: bool) -> None:
    ensure_database(DATABASE, skip_migrate)


def fresh_tenant(slug: str) -> tuple[Tenant, Any]:
    """The bench's tenant with no documents left from an earlier run."""
    from tenants.services import create_tenant

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant, _ = create_tenant(slug, slug, f"admin@{slug}.test")
    admin = tenant.memberships.get(user__email=f"admin@{slug}.test").user
    with tenant_scope(tenant):
        for document in Document.objects.all():
            ingest.delete_document(document, admin)
    return tenant, admin


def index(tenant: Tenant, admin: Any, name: str, filename: str, data: bytes) -> str:
    with tenant_scope(tenant):
        version = ingest.upload_version(admin, name, filename, data)
    status = ingest.ingest_version(str(tenant.pk), str(version.pk))
    if status == "blocked":  # the bench's own documents: an operator would clear them
        with tenant_scope(tenant):
            ingest.clear_findings(DocumentVersion.objects.get(pk=version.pk), admin)
        status = ingest.ingest_version(str(tenant.pk), str(version.pk))
    return status


def quality() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for slug, questions in LABELS.items():
        if slug.startswith("_"):
            continue
        tenant, admin = fresh_tenant(f"bench-{slug}")
        index(tenant, admin, "Formulary", f"{slug}.md",
              (DOCUMENTS / f"{slug}-formulary.md").read_bytes())
        index(tenant, admin, "Distractor (other team's formulary)", "other.md",
              (DOCUMENTS / f"{OTHER[slug]}-formulary.md").read_bytes())
        with tenant_scope(tenant):
            chunks = Chunk.objects.count()
            per_method: dict[str, Any] = {}
            for method in METHODS:
                ranks = []
                for question, section in questions:
                    found = retrieval.search(question, 10, method=method)
                    rank = next((i for i, p in enumerate(found, start=1)
                                 if p.document == "Formulary"
                                 and p.section.split(" > ")[-1] == section), None)
                    ranks.append(rank)
                per_method[method] = {
                    "recall@1": sum(1 for r in ranks if r == 1) / len(ranks),
                    "recall@5": sum(1 for r in ranks if r and r <= 5) / len(ranks),
                    "mrr": sum(1 / r for r in ranks if r) / len(ranks)}
        results[slug] = {"questions": len(questions), "chunks": chunks, **per_method}
    return results


WORDS = ("dose daily twice tablet infusion renal hepatic monitor level interaction review "
         "patient team ward pharmacy clinic protocol oral intravenous weekly reduce increase "
         "stop start hold check blood pressure heart kidney liver adult elderly child weight "
         "first second line agent therapy course cycle risk bleeding infection fever pain "
         "nausea allergy contraindicated caution").split()


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up words (a document collection's long tail) after the common clinical ones."""
    syllables = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]
    made = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size)}
    return WORDS + sorted(made)


def zipf_text(rng: random.Random, words: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(words, weights=weights, k=n))


def synthetic(tenant: Tenant, admin: Any, name: str, count: int, rng: random.Random) -> None:
    """`count` chunks of generated text with random unit vectors, in one ready version."""
    with tenant_scope(tenant):
        version = ingest.upload_version(admin, name, "synthetic.txt", f"{name}\n".encode())
        DocumentVersion.objects.filter(pk=version.pk).update(
            status=DocumentVersion.Status.READY, ready_at=timezone.now(), chunks_total=count,
            chunks_done=count)
    generator = np.random.default_rng(rng.randrange(2**32))
    words = vocabulary(rng)
    weights = [1 / (rank + 10) for rank in range(len(words))]  # Zipf-like word frequencies
    pool = [zipf_text(rng, words, weights, 120) for _ in range(min(count, 4000))]
    for start in range(0, count, 5000):
        n = min(5000, count - start)
        vectors = generator.standard_normal((n, EMBEDDING_DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with tenant_scope(tenant):
            Chunk.objects.bulk_create([
                Chunk(tenant=tenant, version_id=version.pk, ordinal=start + i,
                      section=f"Section {(start + i) // 20}",
                      text=pool[(start + i) % len(pool)], sha256="0" * 64,
                      embedding=vectors[i].tobytes()) for i in range(n)], batch_size=1000)


def timed(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - started))
    return out


def latency(sizes: list[int]) -> dict[str, Any]:
    tenant, admin = fresh_tenant("bench-scale")
    rng = random.Random(15)
    results: dict[str, Any] = {}
    have = 0
    questions = [q for slug, qs in LABELS.items() if not slug.startswith("_") for q, _ in qs]
    embeddings.embed(["warm up"])
    for size in sizes:
        started = time.perf_counter()
        synthetic(tenant, admin, f"Synthetic {size}", size - have, rng)
        insert_s = time.perf_counter() - started
        have = size
        with tenant_scope(tenant):
            retrieval.cache.clear()
            cold = timed(lambda: retrieval.search(questions[0], 5, method="vector"), 1)[0]
            row: dict[str, Any] = {"insert_s": round(insert_s, 1),
                                   "first_query_ms": round(cold, 1),
                                   "cache_mib": round(retrieval.cache.total_bytes() / 2**20, 1)}
            repeat = 20 if size <= 10_000 else 8
            for method in METHODS:
                samples = [timed(lambda q=q, m=method: retrieval.search(q, 5, method=m), 1)[0]
                           for q in (questions * 2)[:repeat]]
                row[method] = {"p50_ms": round(statistics.median(samples), 1),
                               "p95_ms": round(sorted(samples)[int(0.95 * (len(samples) - 1))],
                                               1)}
            row["query_embedding_ms"] = round(statistics.median(
                timed(lambda: embeddings.embed([questions[1]]), 10)), 1)
        results[str(size)] = row
        print(f"  {size:>7} chunks: {json.dumps(row)}", flush=True)
    with tenant_scope(tenant):
        for document in Document.objects.all():
            ingest.delete_document(document, admin)
    return results


def ingestion() -> dict[str, Any]:
    tenant, admin = fresh_tenant("bench-ingest")
    rng = random.Random(7)
    sections = []
    for s in range(40):
        sections.append(f"## Protocol section {s}\n")
        for _ in range(5):
            sentences = [" ".join(rng.choices(WORDS, k=14)).capitalize() + "."
                         for _ in range(9)]
            sections.append(" ".join(sentences) + "\n")
    data = ("# Synthetic protocol book\n\n" + "\n".join(sections)).encode()
    started = time.perf_counter()
    status = index(tenant, admin, "Protocol book", "book.md", data)
    total = time.perf_counter() - started
    with tenant_scope(tenant):
        count = Chunk.objects.count()
    text, pieces = chunking.chunk_document(data, "text/markdown")
    started = time.perf_counter()
    ingest.scan_for_phi(text)
    scan = time.perf_counter() - started
    started = time.perf_counter()
    embeddings.embed([embeddings.passage_input(p.section, p.text) for p in pieces])
    embed = time.perf_counter() - started
    return {"status": status, "chunks": count, "bytes": len(data), "total_s": round(total, 1),
            "chunks_per_s": round(count / total, 1), "phi_scan_s": round(scan, 1),
            "embed_chunks_per_s": round(count / embed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--skip-migrate", action="store_true")
    args = parser.parse_args()
    prepare(args.skip_migrate)
    print("quality …", flush=True)
    quality_results = quality()
    print("ingestion …", flush=True)
    ingestion_results = ingestion()
    print("latency …", flush=True)
    latency_results = latency(sorted(args.sizes))
    chat_ms = None
    inference = ROOT / "bench" / "results" / "inference.json"
    if inference.exists():
        chat_ms = json.loads(inference.read_text()).get("router_median_ms")
    chat_ms = chat_ms or 1780.0  # README: the router's median chat request (vLLM CPU, 32 tokens)
    for row in latency_results.values():
        row["hybrid_share_of_chat"] = round(row["hybrid"]["p50_ms"] / chat_ms, 4)
    connections.close_all()
    print()
    print(f"{'tenant':<10} {'method':<7} {'recall@1':>9} {'recall@5':>9} {'MRR':>6}")
    for slug, row in quality_results.items():
        for method in METHODS:
            r = row[method]
            print(f"{slug:<10} {method:<7} {r['recall@1']:>9.2f} {r['recall@5']:>9.2f} "
                  f"{r['mrr']:>6.2f}")
    print()
    print(f"{'chunks':>7} {'first':>8} {'vector':>8} {'text':>8} {'hybrid':>8} {'of chat':>8}")
    for size, row in latency_results.items():
        print(f"{size:>7} {row['first_query_ms']:>6.0f}ms {row['vector']['p50_ms']:>6.1f}ms "
              f"{row['text']['p50_ms']:>6.1f}ms {row['hybrid']['p50_ms']:>6.1f}ms "
              f"{100 * row['hybrid_share_of_chat']:>7.1f}%")
    print()
    print(f"ingestion: {ingestion_results}")
    out = ROOT / "bench" / "results" / "retrieval.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "quality": quality_results,
                               "latency": latency_results, "chat_median_ms": chat_ms,
                               "ingestion": ingestion_results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
