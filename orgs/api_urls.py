from rest_framework.routers import SimpleRouter

from . import account_apis, apis, proposal_apis

router = SimpleRouter()
router.register("regions", apis.RegionViewSet, basename="api-region")
router.register("enterprises", apis.EnterpriseViewSet, basename="api-enterprise")
router.register("organizations", apis.OrganizationViewSet, basename="api-organization")
router.register("instructor-assignments", apis.InstructorAssignmentViewSet, basename="api-assignment")
router.register("ratings", apis.RatingViewSet, basename="api-rating")
router.register("alerts", apis.AlertViewSet, basename="api-alert")
router.register("users", account_apis.UserViewSet, basename="api-user")
router.register("change-proposals", proposal_apis.ChangeProposalViewSet, basename="api-proposal")
router.register("surveys", apis.SurveyViewSet, basename="api-survey")

urlpatterns = router.urls
