"""Pages of the ground floor that need nothing above it: the instructor's visits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.pages import form_errors_from, paginate

from .forms import VisitForm
from .selectors import assignment_get, assignment_list, visit_list
from .services import instructor_visit_create


@login_required
def visit_list_view(request):
    """The instructor's assigned enterprises and visit log, with a form to log a visit."""
    assignments = assignment_list(user=request.user)
    own = assignments.filter(instructor=request.user)
    form = VisitForm(request.POST or None, assignments=own, initial={"assignment": request.GET.get("assignment")})
    if request.method == "POST" and form.is_valid():
        assignment = assignment_get(user=request.user, pk=form.cleaned_data["assignment"].pk, write=True)
        try:
            instructor_visit_create(
                assignment=assignment,
                by=request.user,
                visited_on=form.cleaned_data["visited_on"],
                summary=form.cleaned_data["summary"],
            )
            messages.success(request, _("走访已登记"))
            return redirect("orgs:visit_list")
        except ValidationError as exc:
            form_errors_from(form, exc)
    return render(
        request,
        "orgs/visit_list.html",
        {
            "form": form,
            "can_log": own.exists(),
            "assignments": assignments.order_by("enterprise__name")[:200],
            "page": paginate(request, visit_list(user=request.user)),
            "filters": {},
        },
    )
