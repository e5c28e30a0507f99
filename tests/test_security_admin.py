"""Export and download need the right person: a superuser operator, and for a download the
operator who requested it, by an id nobody can guess; an unclaimed bundle is deleted at expiry."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from offboarding import export
from offboarding.tasks import expire_exports
from tenants.models import AuditEntry, ExportRequest, PurgeRequest
from tenants.scoping import tenant_scope

from .mfa import force_login_verified

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(user) -> Client:
    client = Client()
    force_login_verified(client, user)
    return client


def superuser(django_user_model, name: str):
    return django_user_model.objects.create_superuser(name, name, "operator-pass")


def staff_with_every_export_permission(django_user_model):
    user = django_user_model.objects.create_user("staff@sanoweb.test", "staff@sanoweb.test",
                                                 "staff-pass", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tenants"))
    return user


def ready_export(tenant, operator) -> ExportRequest:
    item = export.request_export(tenant, operator)
    return export.run_export(item.pk)  # what the queued task does


def actions(tenant) -> list[str]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_staff_without_superuser_cannot_start_or_download_an_export(alpha, django_user_model):
    staff = staff_with_every_export_permission(django_user_model)
    assert staff.has_perm("tenants.download_exportrequest")  # the permission alone is not enough
    client = logged_in(staff)
    started = client.post(reverse("admin:tenant_export", args=[alpha.tenant.pk]))
    assert started.status_code == 403
    assert not ExportRequest.objects.exists()
    item = ready_export(alpha.tenant, superuser(django_user_model, "op@sanoweb.test"))
    download = client.get(reverse("admin:export_download", args=[item.public_id]))
    assert download.status_code == 403 and not download.has_header("Content-Disposition")
    assert client.get(reverse("admin:tenants_exportrequest_changelist")).status_code == 403
    item.refresh_from_db()
    assert item.status == ExportRequest.Status.READY


def test_staff_without_superuser_cannot_request_or_approve_a_purge(alpha, django_user_model):
    staff = staff_with_every_export_permission(django_user_model)
    client = logged_in(staff)
    refused = client.post(reverse("admin:tenant_purge", args=[alpha.tenant.pk]),
                          {"reason": "contract ended"})
    assert refused.status_code == 403
    assert not PurgeRequest.objects.exists()
    assert client.get(reverse("admin:tenants_purgerequest_changelist")).status_code == 403
    assert client.get(reverse("admin:signing_key")).status_code == 403
    # Positive control: a superuser reaches the same page.
    page = logged_in(superuser(django_user_model, "op@sanoweb.test")).get(
        reverse("admin:tenant_purge", args=[alpha.tenant.pk]))
    assert page.status_code == 200


def test_a_second_superuser_who_did_not_request_it_cannot_download(alpha, django_user_model):
    requester = superuser(django_user_model, "op1@sanoweb.test")
    other = superuser(django_user_model, "op2@sanoweb.test")
    item = ready_export(alpha.tenant, requester)
    url = reverse("admin:export_download", args=[item.public_id])
    refused = logged_in(other).get(url)
    assert refused.status_code == 403 and not refused.has_header("Content-Disposition")
    item.refresh_from_db()
    assert item.status == ExportRequest.Status.READY  # the link is not consumed
    assert default_storage.exists(item.storage_key)
    assert actions(alpha.tenant)[-1] == "export.download_refused"
    # The requester still gets it.
    assert logged_in(requester).get(url).status_code == 200


def test_the_download_url_uses_an_unguessable_id_and_the_int_pk_404s(alpha, django_user_model):
    requester = superuser(django_user_model, "op@sanoweb.test")
    item = ready_export(alpha.tenant, requester)
    url = reverse("admin:export_download", args=[item.public_id])
    assert str(item.public_id) in url and f"/{item.pk}/" not in url
    client = logged_in(requester)
    by_pk = client.get(f"/admin/tenants/exportrequest/{item.pk}/download/")
    assert by_pk.status_code == 404
    import uuid

    assert client.get(reverse("admin:export_download", args=[uuid.uuid4()])).status_code == 404
    item.refresh_from_db()
    assert item.status == ExportRequest.Status.READY


def test_an_expired_exports_file_is_deleted_and_the_row_marked(alpha, django_user_model):
    requester = superuser(django_user_model, "op@sanoweb.test")
    item = ready_export(alpha.tenant, requester)
    fresh = ready_export(alpha.tenant, requester)
    assert default_storage.exists(item.storage_key)
    ExportRequest.objects.filter(pk=item.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    assert expire_exports.apply().get() == 1  # the beat task's body, run eagerly
    item.refresh_from_db()
    fresh.refresh_from_db()
    assert item.status == ExportRequest.Status.EXPIRED
    assert not default_storage.exists(item.storage_key)
    assert fresh.status == ExportRequest.Status.READY and default_storage.exists(fresh.storage_key)
    assert "export.expired" in actions(alpha.tenant)
    assert expire_exports.apply().get() == 0  # idempotent
    gone = logged_in(requester).get(reverse("admin:export_download", args=[item.public_id]))
    assert gone.status_code == 410


def test_the_expiry_task_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "offboarding.tasks.expire_exports" in tasks
