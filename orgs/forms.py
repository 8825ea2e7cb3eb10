"""Forms for orgs pages; they list the writable fields, the services apply the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VisitForm(forms.Form):
    assignment = forms.ModelChoiceField(queryset=None, label=_("企业"), empty_label=None)
    visited_on = forms.DateField(
        label=_("走访日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    summary = forms.CharField(label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, assignments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments


DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class AlertAssignForm(forms.Form):
    # Any active user: the service says whether their scope covers the warning.
    assignee = forms.ModelChoiceField(queryset=None, label=_("责任人"), required=False)
    deadline = forms.DateField(label=_("办理期限"), required=False, **DATE_WIDGET)
    note = forms.CharField(label=_("督办说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = candidates


class AlertRespondForm(forms.Form):
    text = forms.CharField(label=_("办理情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("佐证材料（照片或PDF，可选）"), required=False)


class AlertNoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


RECTIFICATION_STEPS = 5


class RectificationPlanForm(forms.Form):
    reason = forms.ChoiceField(label=_("整顿原因"), choices=())
    title = forms.CharField(label=_("整顿事项"), max_length=200, required=False)

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = reasons
        for i in range(1, RECTIFICATION_STEPS + 1):
            self.fields[f"step_{i}"] = forms.CharField(label=_("步骤%(n)d") % {"n": i}, max_length=200, required=False)
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("步骤%(n)d完成期限") % {"n": i}, required=False, **DATE_WIDGET
            )

    def steps(self) -> list[tuple[str, object]]:
        data = self.cleaned_data
        return [(data.get(f"step_{i}", ""), data.get(f"due_{i}")) for i in range(1, RECTIFICATION_STEPS + 1)]
