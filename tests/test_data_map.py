"""The data map covers every table with a tenant key, by construction: a new one fails the
system check until it is put on the map."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.db import models
from django.test.utils import isolate_apps

from tenants import checks, tenant_data
from tenants.models import Tenant, TenantOwned
from tenants.places import KeyedTable, StorageCategory


@isolate_apps("tests")
def test_a_new_table_with_a_tenant_key_fails_the_check_until_it_is_on_the_map():
    class Sticky(models.Model):  # noqa: DJ008
        """A throw-away table a developer adds and forgets to map."""

        tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)

        class Meta:
            app_label = "tests"

    class StickyNote(models.Model):  # noqa: DJ008  (reaches the tenant only through Sticky)
        sticky = models.ForeignKey(Sticky, on_delete=models.CASCADE)

        class Meta:
            app_label = "tests"

    class Unrelated(models.Model):  # noqa: DJ008  (the positive control: no tenant key)
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "tests"

    registry = Sticky._meta.apps  # the isolated registry, holding only these three
    assert tenant_data.unmapped_models(registry) == ["tests.Sticky", "tests.StickyNote"]
    tenant_data.register(KeyedTable(Sticky), KeyedTable(StickyNote))
    try:
        assert tenant_data.unmapped_models(registry) == []
    finally:
        tenant_data.unregister("table:tests.Sticky")
        tenant_data.unregister("table:tests.StickyNote")
    assert tenant_data.unmapped_models(registry) == ["tests.Sticky", "tests.StickyNote"]


def test_the_registered_check_names_a_real_table_taken_off_the_map():
    assert checks.every_tenant_table_is_on_the_data_map() == []  # the real map is complete
    taken = tenant_data.unregister("table:curation.Message")
    assert taken is not None
    try:
        errors = [e for e in run_checks(tags=["models"]) if e.id == "sanoweb.E005"]
        assert [e.msg.split()[0] for e in errors] == ["curation.Message"]
    finally:
        tenant_data.register(taken)
    assert not [e for e in run_checks(tags=["models"]) if e.id == "sanoweb.E005"]


def test_a_storage_category_on_no_place_fails_the_check():
    taken = tenant_data.unregister("storage:tmp")
    assert isinstance(taken, StorageCategory)
    try:
        assert [e.id for e in checks.every_tenant_table_is_on_the_data_map()] == ["sanoweb.E006"]
    finally:
        tenant_data.register(taken)


def test_every_tenant_owned_model_is_on_a_tenant_table_place():
    """A TenantOwned model must be deleted and read inside its tenant's scope."""
    tables = {m for p in tenant_data.places(tenant_data.Kind.TENANT_TABLE) for m in p.models}
    from django.apps import apps

    owned = {m for m in apps.get_models() if issubclass(m, TenantOwned)}
    assert owned and owned == tables


@pytest.mark.parametrize("kind", list(tenant_data.Kind))
def test_every_kind_of_place_is_on_the_map(kind):
    """The map names each kind of place the security notes list (tables, storage versions,
    Redis, Celery, host caches, the engine, what is retained)."""
    assert tenant_data.places(kind), kind
