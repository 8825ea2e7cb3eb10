"""This app's endpoints under /api/v1/ (CONTRACT.md)."""

from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("venues", apis.VenueViewSet, basename="api-venue")

urlpatterns = router.urls
