"""The pages' forms; every rule is the service's (people.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CrossAppointment, PartyWorker, Recommendation, Training

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    source = forms.ChoiceField(label=_("来源"), choices=PartyWorker.Source.choices)
    employment = forms.ChoiceField(label=_("专兼职"), choices=PartyWorker.Employment.choices)
    post = forms.ChoiceField(label=_("现任职务"), choices=PartyWorker.Post.choices)
    organization = forms.ModelChoiceField(
        label=_("任职党组织"), queryset=None, required=False, help_text=_("书记、专职党务工作者所在的党组织")
    )
    region = forms.ModelChoiceField(
        label=_("所属区域"), queryset=None, required=False, help_text=_("选了党组织时取其所在街道")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    member = forms.ModelChoiceField(label=_("对应党员"), queryset=None, required=False)
    in_pool = forms.BooleanField(label=_("纳入人才库"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, organizations, regions, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["region"].queryset = regions
        self.fields["member"].queryset = members


class RecommendForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("推荐到党组织"), queryset=None)
    recommended_on = forms.DateField(label=_("推荐日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, organizations, **kwargs):
        kwargs.setdefault("auto_id", "recommend_%s")
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("结果"),
        choices=[(Recommendation.Outcome.ACCEPTED, _("已接受")), (Recommendation.Outcome.DECLINED, _("未接受"))],
    )
    outcome_on = forms.DateField(label=_("结果日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("培训主题"), max_length=200)
    level = forms.ChoiceField(label=_("培训层级"), choices=Training.Level.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1)
    organizer = forms.CharField(label=_("主办单位"), max_length=100)
    region = forms.ModelChoiceField(label=_("登记区域"), queryset=None)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class AttendeesForm(forms.Form):
    workers = forms.ModelMultipleChoiceField(
        label=_("参训人员"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def __init__(self, *args, workers, **kwargs):
        kwargs.setdefault("auto_id", "attendees_%s")
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = workers


class CrossAppointmentForm(forms.Form):
    person = forms.ChoiceField(label=_("委员姓名"))
    enterprise = forms.ModelChoiceField(label=_("任职企业"), queryset=None)
    body = forms.ChoiceField(label=_("企业任职机构"), choices=CrossAppointment.Body.choices)
    title = forms.CharField(label=_("企业职务"), max_length=50, help_text=_("如：董事、监事、副总经理"))
    since = forms.DateField(label=_("任职日期"), widget=DATE, required=False)

    def __init__(self, *args, people, enterprises, **kwargs):
        kwargs.setdefault("auto_id", "cross_%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(name, name) for name, _role in people]
        self.fields["enterprise"].queryset = enterprises


class ManagerCountForm(forms.Form):
    managers = forms.IntegerField(label=_("管理人员数"), min_value=0)
    party_members = forms.IntegerField(label=_("其中党员数"), min_value=0)
    as_of = forms.DateField(label=_("填报日期"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "managers_%s")
        super().__init__(*args, **kwargs)
