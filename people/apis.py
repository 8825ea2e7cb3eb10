"""/api/v1/party-workers/ and /api/v1/trainings/ (CONTRACT.md): every write
through people.services, the same as the pages."""

import django_filters as filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet, StrictBooleanFilter
from orgs import policy
from orgs.models import Region
from orgs.scoping import scope_for

from . import selectors as sel
from .models import PartyWorker, Training
from .serializers import (
    AttendeesWriteSerializer,
    PartyWorkerSerializer,
    PartyWorkerWriteSerializer,
    TrainingAttendeeSerializer,
    TrainingDetailSerializer,
    TrainingSerializer,
    TrainingWriteSerializer,
)
from .services import training_add_attendees, training_create, worker_register

WORKER_TAGS = ["党务工作者"]
TRAINING_TAGS = ["培训"]


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PartyWorkerFilter(filters.FilterSet):
    source = filters.ChoiceFilter(choices=PartyWorker.Source.choices, label="来源")
    post = filters.ChoiceFilter(choices=PartyWorker.Post.choices, label="现任职务")
    employment = filters.ChoiceFilter(choices=PartyWorker.Employment.choices, label="专兼职")
    in_pool = StrictBooleanFilter(label="纳入人才库")

    class Meta:
        model = PartyWorker
        fields = ["source", "post", "employment", "in_pool"]


def _worker_list(*, user):
    return sel.worker_list(user=user)


def _worker_get(*, user, pk, write=False):
    return sel.worker_get(user=user, pk=pk)


def _workers_named(user, ids, field: str, label: str) -> list[PartyWorker]:
    """The workers a body names, each one the caller reaches (refused otherwise, naming the field)."""
    ids = list(dict.fromkeys(ids or []))
    found = {w.pk: w for w in sel.worker_list(user=user).filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        from core.errors import ApplicationError

        raise ApplicationError(
            {field: _("%(label)s：%(ids)s 不存在或不在您的管辖范围内") % {"label": label, "ids": "、".join(missing)}}
        )
    return [found[i] for i in ids]


@extend_schema_view(
    list=extend_schema(summary="党务工作者名册", tags=WORKER_TAGS),
    retrieve=extend_schema(summary="党务工作者详情", tags=WORKER_TAGS),
    create=extend_schema(
        summary="登记党务工作者（所在区域的工作人员，或本党组织书记）",
        tags=WORKER_TAGS,
        request=PartyWorkerWriteSerializer,
        responses={201: PartyWorkerSerializer},
    ),
)
class PartyWorkerViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = PartyWorkerSerializer
    filterset_class = PartyWorkerFilter
    write_policy = {"create": policy.may_register_party_workers}
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    list_selector = staticmethod(_worker_list)
    get_selector = staticmethod(_worker_get)

    def get_serializer_class(self):
        return PartyWorkerWriteSerializer if self.action == "create" else super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        data = dict(_input(PartyWorkerWriteSerializer, request))
        user = request.user
        regions = Region.objects.filter(kind__in=[Region.Kind.STREET, Region.Kind.DISTRICT])
        data["region"] = sel.reference_get(
            queryset=regions.filter(scope_for(user).regions_q()),
            pk=data.get("region"),
            field="region",
            label=_("所属区域"),
        )
        data["organization"] = sel.reference_get(
            queryset=sel.organizations_in_reach(user=user),
            pk=data.get("organization"),
            field="organization",
            label=_("任职党组织"),
        )
        data["member"] = sel.reference_get(
            queryset=sel.member_choices(user=user), pk=data.get("member"), field="member", label=_("对应党员")
        )
        worker = worker_register(by=user, **data)
        return Response(PartyWorkerSerializer(worker).data, status=status.HTTP_201_CREATED)


class TrainingFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Training.Level.choices, label="培训层级")

    class Meta:
        model = Training
        fields = ["level"]


def _training_list(*, user):
    return sel.training_list(user=user)


def _training_get(*, user, pk, write=False):
    return sel.training_get(user=user, pk=pk)


def _training_detail(request, training: Training) -> Response:
    attendances = sel.attendance_list(user=request.user, training=training)
    return Response(TrainingDetailSerializer(training, context={"attendances": attendances}).data)


@extend_schema_view(
    list=extend_schema(summary="培训班列表", tags=TRAINING_TAGS),
    retrieve=extend_schema(summary="培训班详情（参训人员）", tags=TRAINING_TAGS, responses=TrainingDetailSerializer),
    create=extend_schema(
        summary="登记培训班（所在区域的工作人员），可同时登记参训人员",
        tags=TRAINING_TAGS,
        request=TrainingWriteSerializer,
        responses={201: TrainingDetailSerializer},
    ),
)
class TrainingViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilter
    write_policy = {"create": policy.may_create_trainings, "attendees": policy.may_create_trainings}
    ordering_fields = ["starts_on", "title"]
    ordering = ["-starts_on", "-id"]
    list_selector = staticmethod(_training_list)
    get_selector = staticmethod(_training_get)

    def get_serializer_class(self):
        return TrainingWriteSerializer if self.action == "create" else super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        return _training_detail(request, self.get_object())

    def create(self, request, *args, **kwargs):
        data = dict(_input(TrainingWriteSerializer, request))
        user = request.user
        data["region"] = sel.reference_get(
            queryset=Region.objects.filter(scope_for(user).regions_q()),
            pk=data["region"],
            field="region",
            label=_("登记区域"),
        )
        data["attendees"] = _workers_named(user, data.get("attendees"), "attendees", _("参训人员"))
        training = training_create(by=user, **data)
        response = _training_detail(request, training)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        summary="登记参训人员（须在您的管辖范围内）",
        tags=TRAINING_TAGS,
        request=AttendeesWriteSerializer,
        responses={201: TrainingAttendeeSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="attendees",
        filterset_class=None,
        ordering_fields=[],
        serializer_class=AttendeesWriteSerializer,
    )
    def attendees(self, request, pk=None):
        training = self.get_object()
        data = _input(AttendeesWriteSerializer, request)
        workers = _workers_named(request.user, data["workers"], "workers", _("参训人员"))
        rows = training_add_attendees(by=request.user, training=training, workers=workers)
        return Response(TrainingAttendeeSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)
