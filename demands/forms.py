"""Forms of the demand library's pages. They read the fields; the services
apply the rules, so the pages and the API refuse the same things."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DemandCheck, DemandProject

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SATISFACTION_CHOICES = [
    ("5", _("5 非常满意")),
    ("4", _("4 满意")),
    ("3", _("3 基本满意")),
    ("2", _("2 不太满意")),
    ("1", _("1 不满意")),
]


class SetUpForm(forms.Form):
    level = forms.ChoiceField(label=_("类别"), choices=DemandProject.Level.choices)
    district = forms.TypedChoiceField(label=_("所属区县（A类）"), coerce=int, required=False, empty_value=None)
    street = forms.TypedChoiceField(label=_("所属街道（B类）"), coerce=int, required=False, empty_value=None)
    organization = forms.TypedChoiceField(label=_("党组织（C类）"), coerce=int, required=False, empty_value=None)
    title = forms.CharField(label=_("项目名称"), max_length=200)
    description = forms.CharField(label=_("需求说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    proposer_kind = forms.ChoiceField(label=_("需求提出方"), choices=DemandProject.Proposer.choices)
    enterprise_code = forms.CharField(
        label=_("提出需求的企业（统一社会信用代码，可不填）"), required=False, max_length=30
    )
    collected_by = forms.ChoiceField(label=_("征集方式"), choices=DemandProject.Collection.choices)
    target_date = forms.DateField(label=_("计划完成日期"), widget=DATE)

    def __init__(self, *args, owners: dict, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["district"].choices = blank + [(r.pk, r.name) for r in owners["A"]]
        self.fields["street"].choices = blank + [(r.pk, r.name) for r in owners["B"]]
        self.fields["organization"].choices = blank + [(o.pk, o.name) for o in owners["C"]]
        allowed = [level for level in ("A", "B", "C") if owners[level]]
        self.fields["level"].choices = [c for c in DemandProject.Level.choices if c[0] in allowed]
        for level, name in (("A", "district"), ("B", "street"), ("C", "organization")):
            if not owners[level]:
                del self.fields[name]
            elif len(owners[level]) == 1:
                self.fields[name].initial = owners[level][0].pk


class ClaimForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("集体认领的党组织"), coerce=int, required=False, empty_value=None)
    members = forms.TypedMultipleChoiceField(
        label=_("认领的党员"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    claimed_on = forms.DateField(label=_("认领日期"), widget=DATE, initial=timezone.localdate, required=False)

    def __init__(self, *args, organizations=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "—")] + [(o.pk, o.name) for o in organizations]
        self.fields["members"].choices = [(m.pk, f"{m.name}（{m.organization.name}）") for m in members]


class CheckForm(forms.Form):
    checked_on = forms.DateField(label=_("检查日期"), widget=DATE, initial=timezone.localdate)
    finding = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    result = forms.ChoiceField(
        label=_("检查结论"), choices=DemandCheck.Result.choices, initial=DemandCheck.Result.OK, required=False
    )


class CompleteForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("需求提出方满意度"),
        choices=SATISFACTION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("满意度：应为 1 到 5 之间的整数"),
            "invalid_choice": _("满意度：应为 1 到 5 之间的整数"),
        },
    )
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE, initial=timezone.localdate, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class RectifiedForm(forms.Form):
    note = forms.CharField(label=_("整改情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
