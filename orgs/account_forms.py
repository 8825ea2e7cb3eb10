"""Forms of the users and instructor assignment pages. They list the
fields; the services (orgs.accounts, orgs.assignments) apply the rules."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PartyOrganization, Role


class GrantForm(forms.Form):
    # No role preselected: a district-wide role is never granted by a slip.
    role = forms.ChoiceField(label=_("角色"), choices=[("", "---------"), *Role.choices])
    region = forms.ModelChoiceField(
        queryset=None,
        label=_("所辖区域"),
        required=False,
        empty_label=_("（不指定）"),
        help_text=_("区、街道工作人员和领导须指定所辖区或街道"),
    )
    organization = forms.ModelChoiceField(
        queryset=PartyOrganization.objects.none(),
        label=_("所在党组织"),
        required=False,
        empty_label=_("（不指定）"),
        help_text=_("书记须指定党组织"),
    )

    def __init__(self, *args: Any, regions: Any = None, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["organization"].queryset = organizations


class UserCreateForm(GrantForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少10位，不能全是数字；用户首次登录后须修改"),
    )

    field_order = ["username", "display_name", "password", "role", "region", "organization"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("用户下次登录时须修改"),
    )


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)


class AssignmentForm(forms.Form):
    # A district holds thousands of enterprises: named by code or full name, not picked from a list.
    enterprise = forms.CharField(label=_("企业"), max_length=100, help_text=_("填写统一社会信用代码或企业全称"))
    instructor = forms.ModelChoiceField(queryset=None, label=_("指导员"))
    start_on = forms.DateField(
        label=_("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    end_on = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, enterprises: Any = None, instructors: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enterprises = enterprises
        self.fields["instructor"].queryset = instructors

    def clean_enterprise(self) -> Any:
        text = self.cleaned_data["enterprise"].strip()
        found = self.enterprises.filter(Q(credit_code=text.upper()) | Q(name=text))[:2]
        if len(found) != 1:
            raise forms.ValidationError(_("企业：在您的管辖范围内找不到“%(t)s”") % {"t": text})
        return found[0]


class AssignmentEndForm(forms.Form):
    end_on = forms.DateField(
        label=_("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
