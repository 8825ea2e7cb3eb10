"""The pages' forms; every rule is the service's (alliances.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityType
from orgs.models import Industry

from .models import Alliance, ProblemCategory

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class AllianceForm(forms.Form):
    name = forms.CharField(label=_("联盟名称"), max_length=200)
    chain = forms.CharField(label=_("产业链"), max_length=100, help_text=_("如：装备制造、港口物流"))
    industry = forms.ModelChoiceField(label=_("行业门类"), queryset=Industry.objects.all(), required=False)
    region = forms.ModelChoiceField(label=_("所属区域"), queryset=None)
    lead_kind = forms.ChoiceField(label=_("牵头单位类别"), choices=Alliance.LeadKind.choices)
    lead_enterprise = forms.ModelChoiceField(label=_("牵头企业"), queryset=None, required=False)
    lead_association = forms.CharField(label=_("牵头协会"), max_length=200, required=False)
    lead_park = forms.ModelChoiceField(label=_("牵头园区"), queryset=None, required=False)
    lead_organization = forms.ModelChoiceField(label=_("牵头党组织"), queryset=None)
    first_secretary = forms.CharField(label=_("第一书记"), max_length=50)
    first_secretary_post = forms.CharField(label=_("第一书记职务"), max_length=100, required=False)
    secretary_general = forms.CharField(label=_("秘书长"), max_length=50)
    secretary_general_post = forms.CharField(label=_("秘书长职务"), max_length=100, required=False)
    founded_on = forms.DateField(label=_("成立日期"), widget=DATE)

    def __init__(self, *args, regions, enterprises, parks, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["lead_enterprise"].queryset = enterprises
        self.fields["lead_park"].queryset = parks
        self.fields["lead_organization"].queryset = organizations


class MemberForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("成员党组织（X）"), queryset=None, required=False, help_text=_("链上企业的党组织")
    )
    enterprise = forms.ModelChoiceField(
        label=_("成员企业（N）"), queryset=None, required=False, help_text=_("链上尚无党组织的企业")
    )
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE)

    def __init__(self, *args, organizations, enterprises, **kwargs):
        # Several forms share the alliance page: each keeps ids of its own.
        kwargs.setdefault("auto_id", "member_%s")
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["enterprise"].queryset = enterprises


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DATE)


class ProblemForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("提出企业"), queryset=None)
    title = forms.CharField(label=_("问题"), max_length=200)
    category = forms.ChoiceField(label=_("类别"), choices=ProblemCategory.choices)
    raised_on = forms.DateField(label=_("提出日期"), widget=DATE)
    handler = forms.CharField(label=_("承办人"), max_length=100, required=False)

    def __init__(self, *args, enterprises, **kwargs):
        kwargs.setdefault("auto_id", "problem_%s")
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises


class ResolveForm(forms.Form):
    resolved_on = forms.DateField(label=_("化解日期"), widget=DATE)
    resolution = forms.CharField(label=_("化解情况"), widget=forms.Textarea(attrs={"rows": 2}))


class JointActivityForm(forms.Form):
    held_on = forms.DateField(label=_("活动日期"), widget=DATE)
    title = forms.CharField(label=_("活动主题"), max_length=200)
    activity_type = forms.ChoiceField(label=_("类型"), choices=ActivityType.choices)
    content = forms.CharField(label=_("活动内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    organizations = forms.ModelMultipleChoiceField(
        label=_("参加党组织"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organizations, **kwargs):
        kwargs.setdefault("auto_id", "activity_%s")
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("起"), widget=DATE, required=False)
    end = forms.DateField(label=_("止"), widget=DATE, required=False)
