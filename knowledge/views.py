"""Tenant admins' document pages (upload, versions, findings, clear, delete), and the passage
a clinician's citation links to. Views parse, check access and call one ingest function."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenants.access import (
    MemberRequest,
    audited_page_view,
    get_scoped_or_404,
    tenant_role_required,
)
from tenants.models import Role

from . import ingest
from .models import Chunk, Document, DocumentVersion


@tenant_role_required(Role.TENANT_ADMIN)
@audited_page_view
def documents(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        upload = request.FILES.get("file")
        name = request.POST.get("name", "") or (upload.name.rsplit(".", 1)[0] if upload and
                                                upload.name else "")
        try:
            if upload is None:
                raise ingest.KnowledgeError("Choose a file to upload.")
            version = ingest.upload_version(request.user, name, upload.name or "", upload.read())
        except ingest.KnowledgeError as exc:
            messages.error(request, str(exc))
            return redirect("knowledge:documents")
        messages.success(request, f"Uploaded {version.document.name} v{version.number}: "
                         "it is scanned and indexed in the background.")
        return redirect("knowledge:document_detail", pk=version.document_id)
    rows = Document.objects.prefetch_related("versions").all()
    return render(request, "knowledge/documents.html", {"documents": rows})


@tenant_role_required(Role.TENANT_ADMIN)
@audited_page_view
def document_detail(request: MemberRequest, pk: str) -> HttpResponse:
    document = get_scoped_or_404(Document, pk=pk)
    versions = list(document.versions.all())
    findings = {}
    for version in versions:
        if version.status == DocumentVersion.Status.BLOCKED and version.phi_findings:
            text = ingest.read_text(version)
            findings[version.pk] = [
                {**f, "words": text[f["start"]:f["end"]],
                 "before": text[max(0, f["start"] - 40):f["start"]],
                 "after": text[f["end"]:f["end"] + 40]} for f in version.phi_findings]
    return render(request, "knowledge/document_detail.html", {
        "document": document,
        "versions": [(v, findings.get(v.pk, [])) for v in versions],
        "live": any(v.status in ("queued", "ingesting") for v in versions)})


@tenant_role_required(Role.TENANT_ADMIN)
def version_status(request: MemberRequest, pk: str) -> JsonResponse:
    version = get_scoped_or_404(DocumentVersion, pk=pk)
    return JsonResponse({"status": version.status, "chunks_done": version.chunks_done,
                         "chunks_total": version.chunks_total,
                         "progress": version.progress_percent, "error": version.error})


@tenant_role_required(Role.TENANT_ADMIN)
@require_POST
def clear_findings(request: MemberRequest, pk: str) -> HttpResponse:
    version = get_scoped_or_404(DocumentVersion, pk=pk)
    try:
        ingest.clear_findings(version, request.user)
    except ingest.KnowledgeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Findings cleared: v{version.number} is being indexed.")
    return redirect("knowledge:document_detail", pk=version.document_id)


@tenant_role_required(Role.TENANT_ADMIN)
@require_POST
def delete_document(request: MemberRequest, pk: str) -> HttpResponse:
    document = get_scoped_or_404(Document, pk=pk)
    ingest.delete_document(document, request.user)
    messages.success(request, f"Deleted {document.name}, its versions and its passages.")
    return redirect("knowledge:documents")


@tenant_role_required(Role.CLINICIAN)
@audited_page_view
def passage(request: MemberRequest, pk: str) -> HttpResponse:
    chunk = get_scoped_or_404(Chunk, pk=pk)
    return render(request, "knowledge/passage.html", {"chunk": chunk,
                                                       "version": chunk.version})
