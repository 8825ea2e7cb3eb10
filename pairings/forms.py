"""Forms of the pairing pages: they list the fields; the services apply the
rules, so the pages and the API refuse the same things."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import MultipleFileInput
from members.models import Member
from orgs.models import Enterprise, PartyOrganization, Region, User

from .models import PairingKind, SideKind, Visit
from .services import visit_photos_prepare

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PhotosField(forms.FileField):
    """Photos from the phone's camera; each is checked by content and shrunk
    here (the activities' check), so a bad file stops the form before anything is written."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        try:
            return visit_photos_prepare(uploads=list(uploads))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("联系日期"), widget=DATE)
    kind = forms.ChoiceField(label=_("联系方式"), choices=Visit.Kind.choices, initial=Visit.Kind.VISIT)
    findings = forms.CharField(label=_("了解情况"), widget=forms.Textarea(attrs={"rows": 4}))
    follow_up = forms.CharField(label=_("后续跟进"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    problem_found = forms.BooleanField(label=_("发现问题"), required=False)
    settled_on = forms.DateField(
        label=_("问题解决日期"),
        required=False,
        widget=DATE,
        help_text=_("问题当场解决时填写；以后解决的在结对页面登记"),
    )
    photos = PhotosField(
        label=_("照片"),
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["visited_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class SettleForm(forms.Form):
    settled_on = forms.DateField(label=_("问题解决日期"), widget=DATE)


class PairingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("结对类型"), choices=[c for c in PairingKind.choices if c[0] != PairingKind.INSTRUCTOR_ENTERPRISE]
    )
    side_kind = forms.ChoiceField(label=_("联系方类别"), choices=SideKind.choices)
    side_name = forms.CharField(
        label=_("部门或服务站名称"), required=False, max_length=100, help_text=_("联系方为部门或党群服务站时填写")
    )
    side_user = forms.ModelChoiceField(
        label=_("联系领导/干部"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("（不选）"),
        help_text=_("领导包片选领导，干部包点选干部"),
    )
    side_member = forms.ModelChoiceField(
        label=_("联系党员"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("（不选）"),
        help_text=_("委员联系业主、党员联系发展对象、党员帮扶困难职工时选择"),
    )
    side_organization = forms.ModelChoiceField(
        label=_("联系党组织"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("（不选）"),
        help_text=_("部门联企由党组织结对时选择"),
    )
    street = forms.ModelChoiceField(
        label=_("所属街道"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("（按企业确定）"),
        help_text=_("领导包片选所包片的街道；其他类型按所选企业确定"),
    )
    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Enterprise.objects.none(), required=False, empty_label=_("（不选）")
    )
    target_name = forms.CharField(
        label=_("联系对象姓名"),
        required=False,
        max_length=50,
        help_text=_("困难职工、不在名册中的人员填写；委员联系业主不填时取企业登记的业主"),
    )
    target_member = forms.ModelChoiceField(
        label=_("联系对象（名册）"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("（不选）"),
        help_text=_("发展对象、流动党员从名册中选择"),
    )

    SIDE_FIELDS = ("side_kind", "side_name", "side_user", "side_member", "side_organization")
    TARGET_FIELDS = ("street", "enterprise", "target_name", "target_member")

    def side_fields(self) -> list:
        return [self[name] for name in self.SIDE_FIELDS]

    def target_fields(self) -> list:
        return [self[name] for name in self.TARGET_FIELDS]

    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    quota_per_quarter = forms.IntegerField(label=_("每季度联系次数"), initial=1)

    def __init__(
        self,
        *args: Any,
        users: QuerySet,
        members: QuerySet,
        organizations: QuerySet,
        streets: QuerySet,
        enterprises: QuerySet,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["side_user"].queryset = users  # type: ignore[attr-defined]
        self.fields["side_user"].label_from_instance = lambda u: u.display_name or u.username  # type: ignore[attr-defined]
        self.fields["side_member"].queryset = members  # type: ignore[attr-defined]
        self.fields["target_member"].queryset = members  # type: ignore[attr-defined]
        self.fields["side_organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["street"].queryset = streets  # type: ignore[attr-defined]
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
