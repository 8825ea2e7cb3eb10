"""This app's endpoints under /api/v1/ (CONTRACT.md)."""

from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("demands", apis.DemandViewSet, basename="api-demand")

urlpatterns = router.urls
