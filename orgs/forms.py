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


class VenueCheckForm(forms.Form):
    """The 六有 items as checkboxes: an unticked box is a “no”."""

    has_place = forms.BooleanField(label=_("有场所"), required=False)
    has_facilities = forms.BooleanField(label=_("有设施"), required=False)
    has_sign = forms.BooleanField(label=_("有标志"), required=False)
    has_flag = forms.BooleanField(label=_("有党旗"), required=False)
    has_reading = forms.BooleanField(label=_("有书报"), required=False)
    has_rules = forms.BooleanField(label=_("有制度"), required=False)
    checked_on = forms.DateField(
        label=_("检查日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
