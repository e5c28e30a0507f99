from rest_framework.routers import SimpleRouter

from .api import ApiKeyViewSet

app_name = "inference-api"
router = SimpleRouter(use_regex_path=False)
router.register("keys", ApiKeyViewSet, basename="key")
urlpatterns = router.urls
