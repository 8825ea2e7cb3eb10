"""The API's shapes for 党费 (CONTRACT.md)."""

from rest_framework import serializers

from core.api import MoneySerializerField, StrictSerializer

from .models import Category

PERIOD_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"


class DuesBasisSerializer(serializers.Serializer):
    category = serializers.CharField(
        help_text="党员类别：" + "、".join(f"{v}（{label}）" for v, label in Category.choices)
    )
    category_display = serializers.CharField()
    monthly_income = serializers.CharField(
        allow_null=True, help_text="税后月收入（元）；无权查看完整信息时为掩码，学生等按固定金额缴纳的为 null"
    )
    due_from = serializers.CharField(help_text="起缴月份 YYYY-MM")
    arrears_reason = serializers.CharField(allow_blank=True)


class MemberDuesSerializer(serializers.Serializer):
    monthly_amount = serializers.CharField(
        allow_null=True, help_text="本月按基数应缴金额（元，两位小数）；未登记基数为 null"
    )
    bracket = serializers.CharField(allow_null=True, help_text="所在档次")
    basis = DuesBasisSerializer(allow_null=True)
    arrears = serializers.ListField(child=serializers.CharField(), help_text="欠缴月份（YYYY-MM）")


class DuesPaymentWriteSerializer(StrictSerializer):
    period = serializers.RegexField(
        PERIOD_PATTERN,
        help_text="所属月份 YYYY-MM",
        error_messages={"invalid": "所属月份：格式应为 YYYY-MM（如 2026-07）"},
    )
    amount = MoneySerializerField(label="金额")
    paid_on = serializers.DateField(help_text="缴纳日期")


class DuesPaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    organization = serializers.IntegerField(source="organization_id")
    period = serializers.SerializerMethodField()
    amount = MoneySerializerField()
    paid_on = serializers.DateField()

    def get_period(self, obj) -> str:
        return f"{obj.period:%Y-%m}"


class DuesSummarySerializer(serializers.Serializer):
    period = serializers.CharField(help_text="月份 YYYY-MM")
    organization = serializers.IntegerField(allow_null=True)
    due = MoneySerializerField(help_text="应缴合计（元）")
    paid = MoneySerializerField(help_text="已缴合计（元）")
    payment_rate = serializers.FloatField(allow_null=True, help_text="已缴÷应缴（0–1）；无应缴时为 null")
    in_arrears = serializers.IntegerField(help_text="截至该月有欠缴月份的党员人数")
