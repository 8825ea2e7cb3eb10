"""The people pages: the register, the talent pool, training, 交叉任职 and
the summary of figures; every write through people.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.masking import mask_phone
from core.pages import error_text, form_errors_from, paginate
from core.xlsx import xlsx_response
from orgs import policy
from orgs.selectors import organization_get

from . import selectors as sel
from . import services
from .forms import (
    AttendeesForm,
    CrossAppointmentForm,
    ManagerCountForm,
    OutcomeForm,
    RecommendForm,
    TrainingForm,
    WorkerForm,
)
from .models import PartyWorker, Training


def _browse(request) -> None:
    if not policy.may_browse_party_workers(request.user):
        raise Http404


# --- summary ------------------------------------------------------------------------------------


@login_required
def summary_view(request):
    _browse(request)
    today = timezone.localdate()
    return render(
        request,
        "people/summary.html",
        {
            "figures": sel.people_figures(user=request.user, region=None, on=today),
            "by_region": sel.secretaries_trained_by_region(user=request.user, on=today),
            "today": today,
        },
    )


# --- the register ---------------------------------------------------------------------------------


def _worker_filters(request) -> dict:
    source = request.GET.get("source") or None
    post = request.GET.get("post") or None
    pool = request.GET.get("pool") or ""
    return {
        "source": source if source in PartyWorker.Source.values else None,
        "post": post if post in PartyWorker.Post.values else None,
        "in_pool": True if pool == "1" else None,
    }


@login_required
def worker_list_view(request):
    _browse(request)
    filters = _worker_filters(request)
    page = paginate(request, sel.worker_list(user=request.user, **filters))
    return render(
        request,
        "people/worker_list.html",
        {
            "page": page,
            "filters": filters,
            "query": request.GET.urlencode(),
            "sources": PartyWorker.Source.choices,
            "posts": PartyWorker.Post.choices,
            "may_register": policy.may_register_party_workers(request.user),
        },
    )


@login_required
def worker_export_view(request):
    _browse(request)
    rows = [
        (
            w.name,
            w.get_source_display(),
            w.get_employment_display(),
            w.get_post_display(),
            w.organization.name if w.organization_id else "",
            w.region.name,
            mask_phone(w.phone),
            _("是") if w.in_pool else _("否"),
            w.note,
        )
        for w in sel.worker_list(user=request.user, **_worker_filters(request))
    ]
    headers = [_("姓名"), _("来源"), _("专兼职"), _("现任职务"), _("任职党组织"), _("所属区域"), _("联系电话")]
    headers += [_("人才库"), _("备注")]
    return xlsx_response(filename="party-workers.xlsx", title=_("党务工作者名册"), headers=headers, rows=rows)


def _worker_form(request, data=None, initial=None) -> WorkerForm:
    user = request.user
    return WorkerForm(
        data,
        organizations=sel.organizations_in_reach(user=user),
        regions=sel.worker_regions(user=user),
        members=sel.member_choices(user=user),
        initial=initial,
    )


@login_required
def worker_create_view(request):
    if not policy.may_register_party_workers(request.user):
        raise PermissionDenied(_("您不能登记党务工作者"))
    form = _worker_form(request, request.POST or None, initial={"post": PartyWorker.Post.NONE})
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.worker_register(by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("党务工作者已登记"))
            return redirect("people:worker_detail", worker.pk)
    return render(request, "people/worker_form.html", {"form": form})


@login_required
def worker_detail_view(request, pk: int):
    worker = sel.worker_get(user=request.user, pk=pk)
    user = request.user
    context = {
        "worker": worker,
        "trainings": sel.trainings_of(worker=worker),
        "recommendations": worker.recommendations.select_related("organization").order_by("-recommended_on"),
        "may_edit": policy.may_keep_party_worker(user, worker),
        "cycle": sel.training_cycle(timezone.localdate()),
    }
    if worker.in_pool and policy.may_recommend_workers(user):
        context["recommend_form"] = RecommendForm(
            organizations=sel.organizations_in_reach(user=user), initial={"recommended_on": timezone.localdate()}
        )
    return render(request, "people/worker_detail.html", context)


@login_required
def worker_edit_view(request, pk: int):
    worker = sel.worker_get(user=request.user, pk=pk)
    if not policy.may_keep_party_worker(request.user, worker):
        raise PermissionDenied(_("您不能修改该党务工作者"))
    initial = {
        "name": worker.name,
        "source": worker.source,
        "employment": worker.employment,
        "post": worker.post,
        "organization": worker.organization_id,
        "region": worker.region_id,
        "phone": worker.phone_masked,
        "member": worker.member_id,
        "in_pool": worker.in_pool,
        "note": worker.note,
    }
    form = _worker_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_update(by=request.user, worker=worker, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("people:worker_detail", worker.pk)
    return render(request, "people/worker_form.html", {"form": form, "worker": worker})


# --- the talent pool --------------------------------------------------------------------------------


@login_required
def pool_view(request):
    _browse(request)
    user = request.user
    return render(
        request,
        "people/pool.html",
        {
            "page": paginate(request, sel.worker_list(user=user, in_pool=True)),
            "recommendations": sel.recommendation_list(user=user)[:100],
            "figures": sel.people_figures(user=user, region=None, on=timezone.localdate()),
            "may_recommend": policy.may_recommend_workers(user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def worker_recommend_view(request, pk: int):
    worker = sel.worker_get(user=request.user, pk=pk)
    form = RecommendForm(request.POST, organizations=sel.organizations_in_reach(user=request.user))
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{m}" for k, es in form.errors.items() for m in es))
    else:
        try:
            services.worker_recommend(by=request.user, worker=worker, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已推荐"))
    return redirect("people:worker_detail", worker.pk)


@login_required
@require_POST
def recommendation_decide_view(request, pk: int):
    recommendation = sel.recommendation_get(user=request.user, pk=pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{m}" for k, es in form.errors.items() for m in es))
    else:
        try:
            services.recommendation_decide(by=request.user, recommendation=recommendation, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("推荐结果已登记"))
    return redirect("people:pool")


# --- training ---------------------------------------------------------------------------------------


@login_required
def training_list_view(request):
    _browse(request)
    level = request.GET.get("level") or None
    if level not in (None, *Training.Level.values):
        level = None
    return render(
        request,
        "people/training_list.html",
        {
            "page": paginate(request, sel.training_list(user=request.user, level=level)),
            "level": level or "",
            "levels": Training.Level.choices,
            "may_create": policy.may_create_trainings(request.user),
            "cycle": sel.training_cycle(timezone.localdate()),
        },
    )


@login_required
def training_create_view(request):
    if not policy.may_create_trainings(request.user):
        raise PermissionDenied(_("您不能登记培训"))
    form = TrainingForm(request.POST or None, regions=sel.worker_regions(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("培训班已登记，请登记参训人员"))
            return redirect("people:training_detail", training.pk)
    return render(request, "people/training_form.html", {"form": form})


def _training_context(request, training: Training, attendees_form=None) -> dict:
    may_manage = policy.may_manage_training(request.user, training)
    context = {
        "training": training,
        "attendances": sel.attendance_list(user=request.user, training=training),
        "may_manage": may_manage,
    }
    if may_manage:
        context["attendees_form"] = attendees_form or AttendeesForm(
            workers=sel.workers_for_attendance(user=request.user).exclude(attendances__training=training)
        )
    return context


@login_required
def training_detail_view(request, pk: int):
    training = sel.training_get(user=request.user, pk=pk)
    return render(request, "people/training_detail.html", _training_context(request, training))


@login_required
@require_POST
def training_attendees_view(request, pk: int):
    training = sel.training_get(user=request.user, pk=pk)
    # Any worker the caller reaches may be named; the service refuses those they may not keep.
    form = AttendeesForm(request.POST, workers=sel.worker_list(user=request.user))
    if form.is_valid():
        try:
            services.training_add_attendees(by=request.user, training=training, workers=form.cleaned_data["workers"])
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("参训人员已登记"))
            return redirect("people:training_detail", pk)
    return render(
        request, "people/training_detail.html", _training_context(request, training, attendees_form=form), status=400
    )


@login_required
def training_export_view(request, pk: int):
    training = sel.training_get(user=request.user, pk=pk)
    rows = [
        (
            a.worker.name,
            a.worker.get_post_display(),
            a.worker.organization.name if a.worker.organization_id else "",
            a.worker.region.name,
            training.title,
            training.get_level_display(),
            training.starts_on,
            training.ends_on,
            training.hours,
        )
        for a in sel.attendance_list(user=request.user, training=training)
    ]
    headers = [_("姓名"), _("现任职务"), _("任职党组织"), _("所属区域"), _("培训主题"), _("培训层级")]
    headers += [_("开始日期"), _("结束日期"), _("学时")]
    return xlsx_response(
        filename=f"training-{training.pk}-attendance.xlsx", title=_("参训名单"), headers=headers, rows=rows
    )


# --- 交叉任职 -----------------------------------------------------------------------------------------


def _cross_context(request, organization, **forms) -> dict:
    may_keep = policy.may_keep_cross_appointments(request.user, organization)
    people = sel.committee_people(organization=organization)
    context = {
        "organization": organization,
        "appointments": sel.cross_appointments_of(organization=organization),
        "committee": people,
        "manager_count": sel.manager_count_of(organization=organization),
        "may_keep": may_keep,
    }
    if may_keep:
        context["cross_form"] = forms.get("cross_form") or CrossAppointmentForm(
            people=people, enterprises=sel.enterprises_of(organization=organization)
        )
        count = context["manager_count"]
        context["managers_form"] = forms.get("managers_form") or ManagerCountForm(
            initial={
                "managers": count.managers if count else None,
                "party_members": count.party_members if count else None,
                "as_of": timezone.localdate(),
            }
        )
    return context


@login_required
def cross_view(request, organization_pk: int):
    organization = organization_get(user=request.user, pk=organization_pk)
    return render(request, "people/cross.html", _cross_context(request, organization))


@login_required
@require_POST
def cross_add_view(request, organization_pk: int):
    organization = organization_get(user=request.user, pk=organization_pk)
    form = CrossAppointmentForm(
        request.POST,
        people=sel.committee_people(organization=organization),
        enterprises=sel.enterprises_of(organization=organization),
    )
    if form.is_valid():
        try:
            services.cross_appointment_add(by=request.user, organization=organization, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("交叉任职已登记"))
            return redirect("people:cross", organization.pk)
    return render(request, "people/cross.html", _cross_context(request, organization, cross_form=form), status=400)


@login_required
@require_POST
def managers_set_view(request, organization_pk: int):
    organization = organization_get(user=request.user, pk=organization_pk)
    form = ManagerCountForm(request.POST)
    if form.is_valid():
        try:
            services.manager_count_set(by=request.user, organization=organization, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("管理人员数已保存"))
            return redirect("people:cross", organization.pk)
    return render(request, "people/cross.html", _cross_context(request, organization, managers_form=form), status=400)


@login_required
@require_POST
def appointment_remove_view(request, pk: int):
    appointment = sel.cross_appointment_get(user=request.user, pk=pk)
    services.cross_appointment_remove(by=request.user, appointment=appointment)
    messages.success(request, _("交叉任职已删除"))
    return redirect("people:cross", appointment.organization_id)


@login_required
def cross_list_view(request):
    """The organizations in reach with their 交叉任职 (a way in to each organization's page)."""
    _browse(request)
    from django.db.models import Count

    orgs = (
        sel.organizations_in_reach(user=request.user)
        .filter(dissolved_on__isnull=True)
        .annotate(appointments=Count("cross_appointments"))
        .select_related("street", "manager_count")
        .order_by("-appointments", "name")
    )
    return render(request, "people/cross_list.html", {"page": paginate(request, orgs)})
