"""The ground floor's models, one module per topic:

- `regions`: regions (district, streets, communities, parks) and industries;
- `users`: users, roles and role grants;
- `imports`: import batches (survey and roster uploads);
- `enterprises`: the survey's choices, survey facts, enterprises and their
  yearly surveys;
- `organizations`: party organizations, instructor assignments and visits,
  venue checklists;
- `statistics`: the tables the nightly statistics write (coverage snapshots,
  ratings, warnings);
- `warnings`: the steps taken on warnings and the 整顿 plans;
- `proposals`: a secretary's proposed changes, confirmed by street staff.

Every name is re-exported here: the rest of the code imports from
`orgs.models`, and Django finds the app's models by importing this package.
"""

# Import order is registration order, and Django lists a model's reverse
# relations (which the deletion collector walks) in registration order. This
# order keeps them as the single former module had them, but for Region's
# hidden ones, where ImportBatch now comes before Enterprise.
# isort: off
from .regions import Industry, Region
from .users import Role, RoleGrant, User
from .imports import ImportBatch
from .enterprises import (
    BusinessStatus,
    Enterprise,
    EnterpriseSurvey,
    GROUP_COUNT_LIMITS,
    FormationMode,
    LegalType,
    OrgSetup,
    SurveyFacts,
)
from .organizations import (
    Election,
    InstructorAssignment,
    InstructorVisit,
    PartyOrganization,
    VenueChecklist,
    VenuePhoto,
)
from .statistics import Alert, CoverageSnapshot, Rating, RatingCriterion, RatingVeto, StarThreshold
from .warnings import AlertStep, RectificationPlan, RectificationStep
from .proposals import ChangeProposal

# isort: on

__all__ = [
    "Alert",
    "AlertStep",
    "BusinessStatus",
    "ChangeProposal",
    "CoverageSnapshot",
    "Election",
    "Enterprise",
    "EnterpriseSurvey",
    "FormationMode",
    "ImportBatch",
    "Industry",
    "InstructorAssignment",
    "InstructorVisit",
    "LegalType",
    "OrgSetup",
    "PartyOrganization",
    "Rating",
    "RatingCriterion",
    "RatingVeto",
    "RectificationPlan",
    "RectificationStep",
    "Region",
    "Role",
    "RoleGrant",
    "StarThreshold",
    "SurveyFacts",
    "GROUP_COUNT_LIMITS",
    "User",
    "VenueChecklist",
    "VenuePhoto",
]
