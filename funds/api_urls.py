"""This app's endpoints under /api/v1/ (CONTRACT.md)."""

from rest_framework.routers import SimpleRouter

from .apis import FundAccountViewSet

router = SimpleRouter()
router.register("fund-accounts", FundAccountViewSet, basename="fund-account")

urlpatterns = router.urls
