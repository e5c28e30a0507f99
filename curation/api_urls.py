from rest_framework.routers import SimpleRouter

from .api import ExampleViewSet, TrainingSetViewSet

app_name = "curation-api"
router = SimpleRouter(use_regex_path=False)
router.register("examples", ExampleViewSet, basename="example")
router.register("training-sets", TrainingSetViewSet, basename="training-set")
urlpatterns = router.urls
