from rest_framework.routers import SimpleRouter

from .api import DocumentViewSet, VersionViewSet

app_name = "knowledge-api"
router = SimpleRouter(use_regex_path=False)
router.register("documents", DocumentViewSet, basename="document")
router.register("versions", VersionViewSet, basename="version")
urlpatterns = router.urls
