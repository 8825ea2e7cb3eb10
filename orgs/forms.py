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
