"""Forms for orgs pages; they list the writable fields, the services apply the rules."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, PartyOrganization
from .organization_services import ORGANIZATION_WRITABLE
from .services import ENTERPRISE_EDITABLE


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
# Names in a committee box may be split by line, comma or 顿号.
NAME_SPLIT = re.compile(r"[\n,，、;；]+")


def _date_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseEditForm(forms.Form):
    """An enterprise's facts between surveys; the reason goes into its history."""

    def __init__(self, *args, streets, parks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Enterprise, fields=ENTERPRISE_EDITABLE))
        self.fields["street"].queryset = streets
        self.fields["park"].queryset = parks
        _date_fields(self)
        self.fields["closed_on"].help_text = _("经营状态为停业或注销时必填")
        self.fields["reason"] = forms.CharField(
            label=_("修改原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
        )


def names(text: str) -> list[str]:
    return [n.strip() for n in NAME_SPLIT.split(text or "") if n.strip()]


class OrganizationForm(forms.Form):
    """An organization's facts; the enterprises it covers are given by credit code."""

    def __init__(self, *args, streets, parks, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(PartyOrganization, fields=ORGANIZATION_WRITABLE))
        self.fields["street"].queryset = streets
        self.fields["park"].queryset = parks
        self.fields["parent"].queryset = parents
        _date_fields(self)
        self.fields["term_end"].help_text = _("只填任期开始时，按组织类别的默认年限（党委5年，其他3年）计算")
        self.fields["enterprise_codes"] = forms.CharField(
            label=_("覆盖企业"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("统一社会信用代码，每行一个"),
        )
        self.fields["reason"] = forms.CharField(label=_("修改原因"), required=False, max_length=500)

    def clean_enterprise_codes(self) -> list[str]:
        return [c.upper() for c in names(self.cleaned_data.get("enterprise_codes", ""))]


class DissolveForm(forms.Form):
    dissolved_on = forms.DateField(label=_("撤销日期"), initial=timezone.localdate, **DATE_WIDGET)
    reason = forms.CharField(label=_("撤销原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=None, label=_("并入的党组织"), help_text=_("本组织的党员、组织生活记录、覆盖企业和下级组织转入该组织")
    )
    merged_on = forms.DateField(label=_("合并日期"), initial=timezone.localdate, **DATE_WIDGET)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets


class ElectionForm(forms.Form):
    held_on = forms.DateField(label=_("选举日期"), initial=timezone.localdate, **DATE_WIDGET)
    term_years = forms.IntegerField(label=_("任期年限"), min_value=1, max_value=10)
    secretary = forms.CharField(
        label=_("书记"),
        max_length=50,
        widget=forms.TextInput(attrs={"list": "roster"}),
        help_text=_("可从党员名册中选择"),
    )
    deputies = forms.CharField(label=_("副书记"), required=False, max_length=200)
    committee = forms.CharField(
        label=_("委员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("多人以逗号、顿号或换行分隔；名册中的党员自动关联，名册外人员可直接填写姓名"),
    )
    # 为新书记开通账号 (optional): both filled opens the secretary's account with the election.
    account_username = forms.CharField(
        label=_("新书记账号用户名"),
        required=False,
        max_length=150,
        help_text=_("为新书记开通账号（可选）：填写用户名和初始密码，登记换届的同时开通书记账号，首次登录须修改密码"),
    )
    account_password = forms.CharField(
        label=_("新书记账号初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )

    def account(self) -> dict[str, str] | None:
        """The account part, or None when it is left empty."""
        username = self.cleaned_data.get("account_username", "")
        password = self.cleaned_data.get("account_password", "")
        return {"username": username, "password": password} if username or password else None

    def __init__(self, *args, default_years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_years"].initial = default_years
        self.fields["term_years"].help_text = _("默认%(n)d年") % {"n": default_years}


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
