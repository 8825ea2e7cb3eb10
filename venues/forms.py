"""The pages' forms; every rule is the service's (venues.services)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import WEEKDAY_NAMES, Venue

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
TIME = forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 900})
DAYS = [(str(d), label) for d, label in WEEKDAY_NAMES.items()]


class VenueFactsForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Venue.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=200)
    address = forms.CharField(label=_("地址"), max_length=200)
    area = forms.DecimalField(label=_("面积（平方米）"), max_digits=8, decimal_places=1, min_value=0)
    opens_at = forms.TimeField(label=_("开放时间起"), widget=TIME)
    closes_at = forms.TimeField(label=_("开放时间止"), widget=TIME)
    open_days = forms.MultipleChoiceField(
        label=_("开放日"), choices=DAYS, widget=forms.CheckboxSelectMultiple, initial=list("12345")
    )

    def clean_open_days(self):
        return "".join(sorted(self.cleaned_data["open_days"]))


class VenueForm(VenueFactsForm):
    owner_region = forms.ModelChoiceField(
        label=_("所属区域"), queryset=None, required=False, help_text=_("街道、社区或园区的党群服务中心、工作站")
    )
    owner_organization = forms.ModelChoiceField(
        label=_("所属党组织"), queryset=None, required=False, help_text=_("党组织自有的党员活动室")
    )
    owner_enterprise = forms.ModelChoiceField(
        label=_("所属企业"), queryset=None, required=False, help_text=_("企业提供的场地；三者只选一个")
    )

    def __init__(self, *args, regions, organizations, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_region"].queryset = regions
        self.fields["owner_organization"].queryset = organizations
        self.fields["owner_enterprise"].queryset = enterprises


class VenueEditForm(VenueFactsForm):
    active = forms.BooleanField(label=_("在用"), required=False)


class ShareForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("共享党组织"), queryset=None)
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("截止日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, organizations, **kwargs):
        kwargs.setdefault("auto_id", "share_%s")
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class BookingForm(forms.Form):
    """Short on purpose: a secretary books from a phone."""

    venue = forms.ModelChoiceField(label=_("阵地"), queryset=None)
    organization = forms.ModelChoiceField(label=_("使用党组织"), queryset=None)
    booked_on = forms.DateField(label=_("使用日期"), widget=DATE)
    starts_at = forms.TimeField(label=_("开始时间"), widget=TIME)
    ends_at = forms.TimeField(label=_("结束时间"), widget=TIME)
    purpose = forms.CharField(label=_("用途"), max_length=200, help_text=_("如：主题党日、支部党员大会"))
    activity = forms.ModelChoiceField(label=_("组织生活记录"), queryset=None, required=False)

    def __init__(self, *args, venues, organizations, activities, **kwargs):
        kwargs.setdefault("auto_id", "booking_%s")
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["organization"].queryset = organizations
        self.fields["activity"].queryset = activities
        if not self.is_bound:
            self.initial.setdefault("booked_on", timezone.localdate())


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("自"), required=False, widget=DATE)
    end = forms.DateField(label=_("至"), required=False, widget=DATE)
