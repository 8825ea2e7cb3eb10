"""This app's endpoints under /api/v1/ (CONTRACT.md)."""

from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("fund-accounts", apis.FundAccountViewSet, basename="api-fund-account")
router.register("fund-applications", apis.ApplicationViewSet, basename="api-fund-application")

urlpatterns = router.urls
