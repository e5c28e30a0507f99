"""Hybrid retrieval over the tenant in scope: exact vector search plus full text, fused.

Vectors: numpy's exact cosine over the tenant's matrix (all-MiniLM-L6-v2, unit length), which
at one team's sizes (<= 100k chunks) takes milliseconds; each process caches each tenant's
matrix keyed by its document-set version (the ids of the versions retrieved now), bounded in
memory, least recently used out. Full text: PostgreSQL's `websearch_to_tsquery` with its terms
ORed and `ts_rank_cd` over the generated `search` column; on SQLite (the embedded default) a
BM25 scorer in Python. The two rankings are fused by reciprocal rank (k = 60).

Only chunks of each document's newest ready version are candidates, and every query runs in
the caller's tenant scope (the fail-closed manager, and RLS on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max

from tenants.scoping import current_tenant

from . import embeddings
from .models import EMBEDDING_DIM, Chunk, DocumentVersion

RRF_K = 60
CANDIDATES = 50  # from each ranking, before fusion


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    document: str
    document_id: str
    version: int
    version_id: str
    section: str
    text: str
    sha256: str
    score: float

    def citation(self) -> dict[str, Any]:
        """What an answer carries about the passage (and the chat page links to)."""
        return {"document": self.document, "document_id": self.document_id,
                "version": self.version, "version_id": self.version_id,
                "section": self.section, "chunk_id": self.chunk_id}


def current_versions() -> list[str]:
    """Ids of each document's newest ready version, sorted: what retrieval reads now."""
    newest = (DocumentVersion.objects.filter(status=DocumentVersion.Status.READY)
              .values("document_id").annotate(n=Max("number")))
    wanted = {(row["document_id"], row["n"]) for row in newest}
    if not wanted:
        return []
    rows = DocumentVersion.objects.filter(
        status=DocumentVersion.Status.READY,
        document_id__in=[d for d, _ in wanted]).values_list("pk", "document_id", "number")
    return sorted(str(pk) for pk, doc, n in rows if (doc, n) in wanted)


def set_version(version_ids: Sequence[str]) -> str:
    return hashlib.sha256(",".join(version_ids).encode()).hexdigest()[:32]


@dataclass
class _Matrix:
    key: str
    ids: np.ndarray  # chunk ids, int64
    vectors: np.ndarray  # (n, 384) float32

    @property
    def nbytes(self) -> int:
        return int(self.ids.nbytes + self.vectors.nbytes)


class VectorCache:
    """Per process: tenant id -> its matrix for one document-set version, LRU by bytes."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self._entries: OrderedDict[str, _Matrix] = OrderedDict()
        self._lock = threading.Lock()
        self.max_bytes = max_bytes
        self.loads = 0

    def get(self, tenant_id: str, key: str, version_ids: Sequence[str]) -> _Matrix:
        with self._lock:
            found = self._entries.get(tenant_id)
            if found is not None and found.key == key:
                self._entries.move_to_end(tenant_id)
                return found
        matrix = _load(key, version_ids)
        with self._lock:
            self.loads += 1
            self._entries[tenant_id] = matrix
            self._entries.move_to_end(tenant_id)
            limit = self.max_bytes if self.max_bytes is not None else \
                settings.KNOWLEDGE_CACHE_BYTES
            while len(self._entries) > 1 and self.total_bytes() > limit:
                self._entries.popitem(last=False)
        return matrix

    def total_bytes(self) -> int:
        return sum(m.nbytes for m in self._entries.values())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def tenants(self) -> list[str]:
        return list(self._entries)


cache = VectorCache()


def _load(key: str, version_ids: Sequence[str]) -> _Matrix:
    rows = Chunk.objects.filter(version_id__in=list(version_ids)).order_by("id").values_list(
        "id", "embedding")
    ids: list[int] = []
    blob = bytearray()
    for chunk_id, embedding in rows.iterator(chunk_size=2000):
        ids.append(chunk_id)
        blob += bytes(embedding)
    vectors = np.frombuffer(bytes(blob), dtype=np.float32).reshape(-1, EMBEDDING_DIM)
    return _Matrix(key, np.asarray(ids, dtype=np.int64), vectors)


def vector_ranking(matrix: _Matrix, query: np.ndarray, limit: int) -> list[int]:
    if not len(matrix.ids):
        return []
    scores = matrix.vectors @ query
    limit = min(limit, len(scores))
    top = np.argpartition(-scores, limit - 1)[:limit]
    return [int(matrix.ids[i]) for i in top[np.argsort(-scores[top])]]


def text_ranking(question: str, version_ids: Sequence[str], limit: int) -> list[int]:
    if connection.vendor == "postgresql":
        return _postgres_text_ranking(question, version_ids, limit)
    return _python_text_ranking(question, version_ids, limit)


# Full text ranks by cover density (ts_rank_cd) among this many best by term frequency
# (ts_rank, several times cheaper): with the terms ORed, a common word matches most of a large
# tenant's chunks, and cover density over all of them was most of a 100k-chunk query. A tenant
# with no more matches than this gets exactly the ts_rank_cd order.
TEXT_CANDIDATES = 200


def _postgres_text_ranking(question: str, version_ids: Sequence[str], limit: int) -> list[int]:
    # websearch_to_tsquery parses and stems the question but ANDs its terms, which a question
    # in a sentence rarely all matches: the terms are ORed.
    sql = """
        WITH q AS (SELECT replace(websearch_to_tsquery('english', %s)::text, ' & ', ' | ')
                   AS text),
        candidates AS (
            SELECT c.id, c.search FROM knowledge_chunk c, q
            WHERE q.text <> '' AND c.tenant_id = %s AND c.version_id = ANY(%s::uuid[])
              AND c.search @@ q.text::tsquery
            ORDER BY ts_rank(c.search, q.text::tsquery) DESC, c.id
            LIMIT %s)
        SELECT candidates.id FROM candidates, q
        ORDER BY ts_rank_cd(candidates.search, q.text::tsquery) DESC, candidates.id
        LIMIT %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [question, current_tenant().pk, list(version_ids),
                             max(TEXT_CANDIDATES, limit), limit])
        return [row[0] for row in cursor.fetchall()]


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("""a an and are as at be by can do does for from how i if in is it its of on or
should the to was we what when where which who why will with you your""".split())


def terms(text: str) -> list[str]:
    """Lower-cased words without stop words, with a light plural/suffix strip."""
    out = []
    for word in _WORD.findall(text.lower()):
        if word in _STOP:
            continue
        for suffix in ("ies", "es", "s"):
            if len(word) > 4 and word.endswith(suffix):
                word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
                break
        out.append(word)
    return out


def _python_text_ranking(question: str, version_ids: Sequence[str],
                         limit: int) -> list[int]:
    """BM25 over the candidates' section and text (SQLite has no tsvector here)."""
    wanted = set(terms(question))
    if not wanted:
        return []
    docs = [(cid, Counter(terms(f"{section} {text}"))) for cid, section, text in
            Chunk.objects.filter(version_id__in=list(version_ids)).values_list(
                "id", "section", "text")]
    if not docs:
        return []
    lengths = [sum(c.values()) for _, c in docs]
    average = sum(lengths) / len(lengths) or 1.0
    frequency = {t: sum(1 for _, c in docs if t in c) for t in wanted}
    scored = []
    for (cid, counts), length in zip(docs, lengths, strict=True):
        score = 0.0
        for term in wanted:
            tf = counts.get(term, 0)
            if tf:
                idf = math.log(1 + (len(docs) - frequency[term] + 0.5) / (frequency[term] + 0.5))
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
        if score > 0:
            scored.append((-score, cid))
    return [cid for _, cid in sorted(scored)[:limit]]


def fuse(*rankings: Sequence[int], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: sum of 1 / (k + rank) over the rankings a chunk is in."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def search(question: str, top_k: int | None = None, *, method: str = "hybrid"
           ) -> list[Passage]:
    """The tenant's best passages for `question` (method: hybrid, vector or text)."""
    top_k = top_k or settings.KNOWLEDGE_TOP_K
    version_ids = current_versions()
    if not version_ids or not question.strip():
        return []
    rankings: list[list[int]] = []
    if method in ("hybrid", "vector"):
        matrix = cache.get(str(current_tenant().pk), set_version(version_ids), version_ids)
        rankings.append(vector_ranking(matrix, embeddings.embed([question])[0], CANDIDATES))
    if method in ("hybrid", "text"):
        rankings.append(text_ranking(question, version_ids, CANDIDATES))
    fused = fuse(*rankings)[:top_k]
    return passages(fused)


def passages(scored: Sequence[tuple[int, float]]) -> list[Passage]:
    rows = {c.pk: c for c in Chunk.objects.filter(pk__in=[cid for cid, _ in scored])
            .select_related("version__document")}
    found = []
    for chunk_id, score in scored:
        chunk = rows.get(chunk_id)
        if chunk is None:
            continue  # deleted since the matrix was loaded
        found.append(Passage(chunk.pk, chunk.version.document.name,
                             str(chunk.version.document_id), chunk.version.number,
                             str(chunk.version_id), chunk.section, chunk.text, chunk.sha256,
                             score))
    return found


def has_documents() -> bool:
    return DocumentVersion.objects.filter(status=DocumentVersion.Status.READY).exists()
