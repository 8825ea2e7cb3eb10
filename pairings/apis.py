"""/api/v1/pairings/: pairings and their visits. Creating a pairing and
logging a visit call pairings.services, the same functions the pages call."""

import django_filters as filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSet, atomic_write
from orgs import policy
from orgs.policy import require_permission

from .models import Pairing, PairingKind
from .selectors import pairing_get, pairing_list
from .serializers import PairingSerializer, PairingWriteSerializer, VisitSerializer, VisitWriteSerializer
from .services import pairing_create, pairing_write_fields, visit_log


class PairingFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PairingKind.choices, label="结对类型")
    street = IdFilter(field_name="street_id", label="街道ID")
    enterprise = IdFilter(field_name="enterprise_id", label="企业ID")
    active = filters.BooleanFilter(label="有效")

    class Meta:
        model = Pairing
        fields = ["kind", "street", "enterprise", "active"]


@extend_schema_view(
    list=extend_schema(summary="结对联系列表", tags=["结对联系"]),
    retrieve=extend_schema(summary="结对联系详情", tags=["结对联系"]),
    create=extend_schema(
        summary="建立结对（区、街道工作人员）",
        tags=["结对联系"],
        request=PairingWriteSerializer,
        responses={201: PairingSerializer},
    ),
)
class PairingViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    ordering_fields = ["id", "starts_on"]
    ordering = ["-id"]
    list_selector = staticmethod(pairing_list)
    http_method_names = ["get", "post", "head", "options"]
    write_policy = {"create": policy.may_manage_pairings}

    @staticmethod
    def get_selector(*, user, pk, write=False):  # type: ignore[no-untyped-def]
        return pairing_get(user=user, pk=pk)

    def get_serializer_class(self):
        if self.action == "create":
            return PairingWriteSerializer
        return super().get_serializer_class()

    @atomic_write
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pairing = pairing_create(by=request.user, **pairing_write_fields(dict(serializer.validated_data)))
        return Response(PairingSerializer(pairing_get(user=request.user, pk=pairing.pk)).data, status=201)

    @extend_schema(
        summary="登记联系（走访、电话、座谈、帮办）",
        tags=["结对联系"],
        request=VisitWriteSerializer,
        responses={201: VisitSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        filterset_class=None,
        ordering_fields=[],
        serializer_class=VisitWriteSerializer,
    )
    @atomic_write
    def visits(self, request, pk=None):
        pairing = self.get_object()
        # Who may log is asked before the body is read: no right, a 403 whatever was sent.
        require_permission(policy.may_log_pairing_visit(request.user, pairing), _("您不能为该结对登记联系记录"))
        serializer = VisitWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit = visit_log(pairing=pairing, by=request.user, **serializer.validated_data)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)
