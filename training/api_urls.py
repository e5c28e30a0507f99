from rest_framework.routers import SimpleRouter

from .api import AdapterViewSet, PolicyViewSet, TrainingRunViewSet

app_name = "training-api"
router = SimpleRouter(use_regex_path=False)
router.register("runs", TrainingRunViewSet, basename="run")
router.register("adapters", AdapterViewSet, basename="adapter")
router.register("policy", PolicyViewSet, basename="policy")
urlpatterns = router.urls
