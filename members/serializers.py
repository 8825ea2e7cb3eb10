"""API shapes of members. ID numbers and phones leave the server masked; the
whole values only come from the audited reveal endpoint."""

from rest_framework import serializers

from core.api import StrictModelSerializer
from orgs.selectors import enterprise_list, organization_list

from .models import Member
from .services import MEMBER_WRITABLE


class _ScopedPk(serializers.PrimaryKeyRelatedField):
    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(user=getattr(request, "user", None))


def _display(field: str) -> serializers.CharField:
    return serializers.CharField(source=f"get_{field}_display", read_only=True)


class MemberSerializer(StrictModelSerializer):
    organization = _ScopedPk(selector=organization_list)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    enterprise = _ScopedPk(selector=enterprise_list, required=False, allow_null=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True)
    id_number = serializers.CharField(
        write_only=True, max_length=20, help_text="18位居民身份证号（仅写入；读取见 id_number_masked）"
    )
    id_number_masked = serializers.CharField(read_only=True)
    phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=30, help_text="手机号（仅写入）"
    )
    phone_masked = serializers.CharField(read_only=True)
    gender_display = _display("gender")
    education_display = _display("education")
    stage_display = _display("stage")
    status_display = _display("status")
    mobility_display = _display("mobility")

    class Meta:
        model = Member
        # Writable: organization, id_number and members.services.MEMBER_WRITABLE.
        fields = [
            "id",
            "organization",
            "organization_name",
            "id_number",
            "id_number_masked",
            "phone_masked",
            *MEMBER_WRITABLE,
            "enterprise_name",
            "gender_display",
            "education_display",
            "stage_display",
            "status",
            "status_display",
            "mobility_display",
            "left_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "left_on", "created_at", "updated_at"]


class MemberRevealSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    id_number = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
