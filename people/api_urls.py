"""This app's endpoints under /api/v1/ (CONTRACT.md)."""

from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("party-workers", apis.PartyWorkerViewSet, basename="api-party-worker")
router.register("trainings", apis.TrainingViewSet, basename="api-training")

urlpatterns = router.urls
