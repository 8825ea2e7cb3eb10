"""This app's endpoints under /api/v1/ (CONTRACT.md)."""

from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("alliances", apis.AllianceViewSet, basename="api-alliance")
router.register("alliance-problems", apis.AllianceProblemViewSet, basename="api-alliance-problem")

urlpatterns = router.urls
