from rest_framework.routers import SimpleRouter

from .api import UsageSummaryViewSet, UsageVersionViewSet

app_name = "usage-api"
router = SimpleRouter(use_regex_path=False)
router.register("summary", UsageSummaryViewSet, basename="summary")
router.register("versions", UsageVersionViewSet, basename="version")
urlpatterns = router.urls
