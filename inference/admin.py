"""Platform operators see the serving engines' state and the platform events."""

from django.contrib import admin

from .models import EngineState, PlatformEvent


# ModelAdmin is generic only in django-stubs: it has no __class_getitem__ at run time, so the
# type argument cannot be written (hence the type: ignores below).
@admin.register(EngineState)
class EngineStateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("url", "healthy", "started_at", "canary_passed_at", "updated_at")
    readonly_fields = ("url", "started_at", "canary_passed_at", "last_canary", "updated_at")


@admin.register(PlatformEvent)
class PlatformEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "kind")
    list_filter = ("kind",)
    readonly_fields = ("created_at", "kind", "detail")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
