"""API shapes of the ground floor (CONTRACT.md): a choice carries its code and
`<field>_display`; a foreign key carries its id and `<field>_name`. An
enterprise's contact phone leaves the server masked; the whole number only
comes from the audited reveal endpoint."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictModelSerializer, StrictSerializer
from core.masking import keep_if_masked, mask_phone
from core.validators import validate_credit_code

from .models import (
    Alert,
    AlertStep,
    Election,
    Enterprise,
    EnterpriseSurvey,
    Industry,
    InstructorAssignment,
    PartyOrganization,
    Rating,
    Region,
    VenueChecklist,
)
from .models.enterprises import PHONE_MAX_LENGTH
from .organization_services import ORGANIZATION_WRITABLE
from .selectors import organization_list, region_list, region_streets
from .services import ENTERPRISE_WRITABLE


def display(field: str) -> serializers.CharField:
    return serializers.CharField(source=f"get_{field}_display", read_only=True)


def fk_name(field: str, attr: str = "name") -> serializers.CharField:
    return serializers.CharField(source=f"{field}.{attr}", read_only=True, allow_null=True)


class MaskedPhoneField(serializers.CharField):
    """Read masked (138****5678); written whole."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        kwargs.setdefault("help_text", "联系电话（读取时已脱敏；完整号码见 reveal 接口，查看记入审计日志）")
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return mask_phone(value)


class ScopedRegionField(serializers.PrimaryKeyRelatedField):
    """A region id the caller reaches; any other id reads as "does not exist"."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if self.kind == Region.Kind.STREET:
            return region_streets(user=user)
        return region_list(user=user, kind=self.kind)


class RegionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Region
        fields = ["id", "name", "kind", "kind_display", "parent", "parent_name", "code"]
        read_only_fields = fields


class EnterpriseSerializer(StrictModelSerializer):
    legal_type_display = display("legal_type")
    status_display = display("status")
    org_setup_display = display("org_setup")
    street = ScopedRegionField(kind=Region.Kind.STREET)
    street_name = fk_name("street")
    park = ScopedRegionField(kind=Region.Kind.PARK, required=False, allow_null=True)
    park_name = fk_name("park")
    community = ScopedRegionField(kind=Region.Kind.COMMUNITY, required=False, allow_null=True)
    community_name = fk_name("community")
    industry = serializers.PrimaryKeyRelatedField(queryset=Industry.objects.all(), required=False, allow_null=True)
    industry_name = fk_name("industry")
    phone = MaskedPhoneField(required=False, allow_blank=True)
    reason = serializers.CharField(
        label="修改原因", required=False, allow_blank=True, max_length=500, write_only=True, help_text="记入修改历史"
    )

    class Meta:
        model = Enterprise
        # Written through orgs.services.ENTERPRISE_WRITABLE and credit_code
        # (at creation only); everything else here is read-only.
        fields = [
            "id",
            "credit_code",
            *ENTERPRISE_WRITABLE,
            "legal_type_display",
            "status_display",
            "org_setup_display",
            "street_name",
            "park_name",
            "community_name",
            "industry_name",
            "latest_survey_year",
            "created_at",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["id", "latest_survey_year", "created_at", "updated_at"]
        extra_kwargs = {"credit_code": {"validators": []}}

    def validate_credit_code(self, value: str) -> str:
        return validate_credit_code(value)

    def validate_phone(self, value: str) -> str:
        # A record read, edited elsewhere and written back carries the mask.
        recorded = self.instance.phone if isinstance(self.instance, Enterprise) else ""
        return keep_if_masked(value, recorded)


class EnterprisePhoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    phone = serializers.CharField(read_only=True)


class EnterpriseUpdateSerializer(EnterpriseSerializer):
    """A change (PUT/PATCH): the credit code is the enterprise's identity,
    fixed once registered, so it is read-only here (sent, it is refused by name)."""

    class Meta(EnterpriseSerializer.Meta):
        read_only_fields = [*EnterpriseSerializer.Meta.read_only_fields, "credit_code"]


class OrganizationSerializer(serializers.ModelSerializer):
    org_type_display = display("org_type")
    formation_mode_display = display("formation_mode")
    parent_name = fk_name("parent")
    street_name = fk_name("street")
    park_name = fk_name("park")
    enterprise_count = serializers.SerializerMethodField()

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "name",
            "org_type",
            "org_type_display",
            "formation_mode",
            "formation_mode_display",
            "parent",
            "parent_name",
            "street",
            "street_name",
            "park",
            "park_name",
            "enterprise_count",
            "secretary_name",
            "has_committee",
            "has_groups",
            "founded_on",
            "approved_on",
            "term_start",
            "term_end",
            "dissolved_on",
            "needs_completion",
            "created_at",
        ]
        read_only_fields = fields

    def get_enterprise_count(self, obj) -> int:
        annotated = getattr(obj, "enterprise_count", None)
        return annotated if annotated is not None else obj.enterprises.count()


class InstructorAssignmentSerializer(serializers.ModelSerializer):
    instructor_name = serializers.SerializerMethodField()
    enterprise_name = fk_name("enterprise")
    visit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = InstructorAssignment
        fields = [
            "id",
            "instructor",
            "instructor_name",
            "enterprise",
            "enterprise_name",
            "start_on",
            "end_on",
            "visit_count",
        ]
        read_only_fields = fields

    def get_instructor_name(self, obj) -> str:
        if obj.instructor is not None:
            return str(obj.instructor)
        return obj.instructor_name


class RatingSerializer(serializers.ModelSerializer):
    organization_name = fk_name("organization")
    stars = serializers.IntegerField(read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "computed_on",
            "published_on",
            "score",
            "computed_stars",
            "override_stars",
            "stars",
            "vetoed",
            "override_reason",
            "override_at",
            "evidence",
            "next_star_gap",
        ]
        read_only_fields = fields


class AlertStepSerializer(serializers.ModelSerializer):
    action_display = display("action")
    by_name = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    note = serializers.CharField(source="text", read_only=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = AlertStep
        fields = [
            "id",
            "action",
            "action_display",
            "by",
            "by_name",
            "at",
            "note",
            "assignee",
            "assignee_name",
            "deadline",
            "has_evidence",
            "evidence_name",
        ]
        read_only_fields = fields

    def get_by_name(self, obj: AlertStep) -> str | None:
        return str(obj.by) if obj.by_id else None

    def get_assignee_name(self, obj: AlertStep) -> str | None:
        return str(obj.assignee) if obj.assignee_id else None

    def get_has_evidence(self, obj: AlertStep) -> bool:
        return bool(obj.evidence)


class AlertSerializer(serializers.ModelSerializer):
    kind_display = display("kind")
    level_display = display("level")
    state_display = display("state")
    assignee_name = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)
    steps = serializers.SerializerMethodField()

    def get_assignee_name(self, obj: Alert) -> str | None:
        return str(obj.assignee) if obj.assignee_id else None

    @extend_schema_field(AlertStepSerializer(many=True))
    def get_steps(self, obj: Alert) -> list[dict]:
        """The history, on the detail only (a list stays one query per page)."""
        view = self.context.get("view")
        if getattr(view, "action", None) == "list":
            return []
        return AlertStepSerializer(obj.steps.select_related("by", "assignee"), many=True).data

    street_name = fk_name("street")
    organization_name = fk_name("organization")
    enterprise_name = fk_name("enterprise")

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "street",
            "street_name",
            "organization",
            "organization_name",
            "enterprise",
            "enterprise_name",
            "message",
            "link",
            "opened_on",
            "last_seen_on",
            "closed_on",
            "state",
            "state_display",
            "assignee",
            "assignee_name",
            "deadline",
            "overdue",
            "steps",
        ]
        read_only_fields = fields


class AlertAssignSerializer(StrictSerializer):
    # Unknown, inactive or out-of-scope people all reach the service, which names the field.
    assignee = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**63 - 1, label="责任人用户ID"
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None, label="办理期限")
    note = serializers.CharField(required=False, allow_blank=True, default="", label="督办说明")


class AlertRespondSerializer(StrictSerializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", label="办理情况")


class AlertNoteSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class EnterpriseSurveySerializer(serializers.ModelSerializer):
    """One enterprise's survey facts frozen for one year (年度排查摸底)."""

    enterprise_name = fk_name("enterprise")
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    legal_type_display = display("legal_type")
    status_display = display("status")
    org_setup_display = display("org_setup")
    street_name = fk_name("street")
    park_name = fk_name("park")
    industry_name = fk_name("industry")
    phone = MaskedPhoneField(read_only=True)

    class Meta:
        model = EnterpriseSurvey
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "credit_code",
            "year",
            "survey_date",
            "batch",
            "name",
            "legal_type",
            "legal_type_display",
            "street",
            "street_name",
            "park",
            "park_name",
            "industry",
            "industry_name",
            "address",
            "status",
            "status_display",
            "above_scale",
            "employees",
            "members_total",
            "members_formal",
            "members_probationary",
            "owner_name",
            "owner_is_member",
            "org_setup",
            "org_setup_display",
            "org_name",
            "secretary_name",
            "instructor_assigned",
            "union_established",
            "league_established",
            "phone",
            "revenue",
        ]
        read_only_fields = fields


class ScopedOrganizationField(serializers.PrimaryKeyRelatedField):
    """An organization id the caller reaches; any other id reads as "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        return organization_list(user=getattr(request, "user", None))


class OrganizationUpdateSerializer(StrictModelSerializer):
    """PATCH /organizations/{id}/: the register's facts, written by
    orgs.organization_services.organization_update (staff in scope)."""

    parent = ScopedOrganizationField(required=False, allow_null=True)
    street = ScopedRegionField(kind=Region.Kind.STREET, required=False)
    park = ScopedRegionField(kind=Region.Kind.PARK, required=False, allow_null=True)
    reason = serializers.CharField(label="修改原因", required=False, allow_blank=True, max_length=500, write_only=True)

    class Meta:
        model = PartyOrganization
        fields = [*ORGANIZATION_WRITABLE, "reason"]
        # The service checks the name is unique in its street, with a message naming the field.
        validators: list = []


class ElectionSerializer(serializers.ModelSerializer):
    recorded_by_name = fk_name("recorded_by", "username")

    class Meta:
        model = Election
        fields = [
            "id",
            "organization",
            "held_on",
            "term_start",
            "term_end",
            "secretary_name",
            "committee",
            "recorded_by",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = fields


class SecretaryAccountSerializer(StrictSerializer):
    username = serializers.CharField(label="用户名", allow_blank=True)
    password = serializers.CharField(label="初始密码", allow_blank=True, trim_whitespace=False, write_only=True)


class ElectionCreateSerializer(StrictSerializer):
    """POST /organizations/{id}/elections/: a 换届选举. A person is a roster
    member's id or a name (a name found once on the roster is linked to it)."""

    held_on = serializers.DateField(label="选举日期")
    term_years = serializers.IntegerField(
        label="任期年限", required=False, allow_null=True, help_text="缺省：党委5年，党总支、党支部3年"
    )
    term_end = serializers.DateField(
        label="任期届满日期", required=False, allow_null=True, help_text="缺省按任期年限计算"
    )
    secretary = serializers.JSONField(label="书记", help_text="党员ID或姓名")
    deputies = serializers.ListField(
        child=serializers.JSONField(), label="副书记", required=False, help_text="党员ID或姓名的列表"
    )
    committee = serializers.ListField(
        child=serializers.JSONField(),
        label="委员",
        required=False,
        help_text='党员ID、姓名，或 {"member": ID, "name": 姓名, "role": "deputy"|"member"} 的列表',
    )
    account = SecretaryAccountSerializer(
        label="为新书记开通账号",
        required=False,
        help_text="可选：新书记账号的用户名和初始密码；与换届在同一事务中开通（书记角色，首次登录须修改密码）。"
        "仅区两新工委工作人员可开通",
    )


# The API's names of the 六有 items (CONTRACT.md) and the checklist's fields.
VENUE_ITEMS = {
    "place": "has_place",
    "facilities": "has_facilities",
    "sign": "has_sign",
    "flag": "has_flag",
    "books": "has_reading",
    "rules": "has_rules",
}


class VenueCheckSerializer(StrictSerializer):
    """POST …/organizations/{id}/venue-checks/: each 六有 item true or false."""

    place = serializers.BooleanField(label="有场所")
    facilities = serializers.BooleanField(label="有设施")
    sign = serializers.BooleanField(label="有标志")
    flag = serializers.BooleanField(label="有党旗")
    books = serializers.BooleanField(label="有书报")
    rules = serializers.BooleanField(label="有制度")
    checked_on = serializers.DateField(label="检查日期", required=False, help_text="默认今天；不能晚于今天")

    def checklist_items(self) -> dict[str, bool]:
        return {field: self.validated_data[name] for name, field in VENUE_ITEMS.items()}


class VenueChecklistSerializer(serializers.ModelSerializer):
    organization_name = fk_name("organization")
    place = serializers.BooleanField(source="has_place", read_only=True)
    facilities = serializers.BooleanField(source="has_facilities", read_only=True)
    sign = serializers.BooleanField(source="has_sign", read_only=True)
    flag = serializers.BooleanField(source="has_flag", read_only=True)
    books = serializers.BooleanField(source="has_reading", read_only=True)
    rules = serializers.BooleanField(source="has_rules", read_only=True)
    score = serializers.IntegerField(read_only=True)

    class Meta:
        model = VenueChecklist
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "checked_on",
            "place",
            "facilities",
            "sign",
            "flag",
            "books",
            "rules",
            "score",
        ]
        read_only_fields = fields
