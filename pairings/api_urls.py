"""This app's endpoints under /api/v1/ (CONTRACT.md)."""

from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("pairings", apis.PairingViewSet, basename="api-pairing")

urlpatterns = router.urls
