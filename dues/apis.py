"""/api/v1/members/{id}/dues/, …/dues/payments/ and /api/v1/dues/summary/
(CONTRACT.md): every write through dues.services, the same as the pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ID_SCHEMA, atomic_write, parse_id
from core.errors import ApplicationError
from core.masking import mask_id_number
from orgs import policy

from . import selectors as sel
from .rules import format_period, parse_period
from .serializers import (
    PERIOD_PATTERN,
    DuesPaymentSerializer,
    DuesPaymentWriteSerializer,
    DuesSummarySerializer,
    MemberDuesSerializer,
)
from .services import payment_record

TAGS = ["党费"]


def _member(request, pk):
    if not policy.may_browse_dues(request.user):
        raise Http404
    return sel.member_get(user=request.user, pk=pk)


class MemberDuesView(APIView):
    @extend_schema(
        summary="党员的党费：每月应缴金额、档次、基数",
        tags=TAGS,
        responses={200: MemberDuesSerializer, 404: OpenApiResponse(description="党员不存在或不在您的管辖范围内")},
    )
    def get(self, request, pk):
        member = _member(request, pk)
        state = sel.member_states([member], period=sel.last_month())[0]
        basis = state.basis
        try:
            due = sel.current_due(member=member)
        except ApplicationError:
            due = None
        basis_data = None
        if basis is not None:
            income = basis.monthly_income or None
            if income and not policy.may_reveal_dues_income(request.user, member):
                income = mask_id_number(income)
            basis_data = {
                "category": basis.category,
                "category_display": basis.get_category_display(),
                "monthly_income": income,
                "due_from": format_period(basis.due_from),
                "arrears_reason": basis.arrears_reason,
            }
        data = {
            "monthly_amount": f"{due.amount:.2f}" if due else None,
            "bracket": due.bracket.label if due else None,
            "basis": basis_data,
            "arrears": [format_period(m) for m in state.arrears],
        }
        return Response(MemberDuesSerializer(data).data)


class MemberDuesPaymentView(APIView):
    @extend_schema(
        summary="登记一笔党费（本组织书记）",
        tags=TAGS,
        request=DuesPaymentWriteSerializer,
        responses={
            201: DuesPaymentSerializer,
            400: OpenApiResponse(description="未来月份、重复缴纳、金额与应缴不符等"),
        },
    )
    @atomic_write
    def post(self, request, pk):
        member = _member(request, pk)
        if not policy.may_keep_dues(request.user, member.organization):
            raise PermissionDenied(_("您不能登记该党员的党费"))
        serializer = DuesPaymentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        payment = payment_record(
            by=request.user,
            member=member,
            period=parse_period(data["period"]),
            amount=data["amount"],
            paid_on=data["paid_on"],
        )
        return Response(DuesPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class DuesSummaryView(APIView):
    @extend_schema(
        summary="党费收缴汇总：应缴、已缴、收缴率、欠缴人数",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "organization", ID_SCHEMA, description="党组织ID（须在您的管辖范围内）；缺省为管辖范围内全部"
            ),
            OpenApiParameter(
                "period", {"type": "string", "pattern": PERIOD_PATTERN}, description="月份 YYYY-MM，缺省为上月"
            ),
        ],
        responses={
            200: DuesSummarySerializer,
            404: OpenApiResponse(description="党组织不存在或不在您的管辖范围内"),
        },
    )
    def get(self, request):
        if not policy.may_browse_dues(request.user):
            raise Http404
        raw = request.query_params.get("period")
        try:
            period = parse_period(raw) if raw is not None else sel.last_month()
        except ApplicationError:
            raise ValidationError({"period": [_("所属月份：格式应为 YYYY-MM（如 2026-07）")]}) from None
        organization = None
        raw_org = request.query_params.get("organization")
        if raw_org is not None:
            organization = sel.organization_get(user=request.user, pk=parse_id(raw_org, field="organization"))
        total = sel.figures(user=request.user, period=period, organization=organization).total
        data = {
            "period": format_period(period),
            "organization": organization.pk if organization else None,
            "due": total.due,
            "paid": total.paid,
            "payment_rate": total.payment_rate,
            "in_arrears": total.in_arrears,
        }
        return Response(DuesSummarySerializer(data).data)
