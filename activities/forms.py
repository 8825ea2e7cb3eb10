"""Forms for activity pages. They list the writable fields; the services
apply the rules, so the API and the pages refuse the same things."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Activity, ActivityType, ComplianceRule
from .selectors import venues_for_activity
from .services import ACTIVITY_WRITABLE, AttendancePick, attachment_prepare


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several photos or PDFs; each is checked by content and photos are
    shrunk here, so a bad file is refused before anything is written."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        prepared, errors = [], []
        for upload in uploads:
            try:
                prepared.append(attachment_prepare(upload=upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return prepared


class ActivityForm(forms.ModelForm):
    files = AttachmentsField(
        label=_("照片或PDF附件"),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "multiple": True}),
    )

    class Meta:
        model = Activity
        fields = ACTIVITY_WRITABLE
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "minutes": forms.Textarea(attrs={"rows": 4}),
            "decisions": forms.Textarea(attrs={"rows": 2}),
            # Host and recorder are usually on the roster: the browser offers the names.
            "host": forms.TextInput(attrs={"list": "roster-names", "autocomplete": "off"}),
            "recorder": forms.TextInput(attrs={"list": "roster-names", "autocomplete": "off"}),
        }

    def __init__(self, *args, roster=(), organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = list(roster)
        # Only the organization's own venues and those shared with it.
        venue = self.fields["venue"]
        venue.queryset = (
            venues_for_activity(organization=organization) if organization is not None else venue.queryset.none()
        )
        venue.help_text = _("本党组织的阵地或共建共享的阵地；可不选")
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on and held_on > timezone.localdate():
            raise ValidationError(_("活动日期不能晚于今天"))
        return held_on

    def attendance_rows(self):
        """The roster with each member's pick, for the template; on a bound
        form the user's picks, otherwise the saved ones (new: all present)."""
        saved = {}
        if self.instance.pk:
            saved = {a.member_id: a for a in self.instance.attendance.all()}
        rows = []
        for member in self.roster:
            if self.is_bound:
                present = str(member.pk) in self.data.getlist("present")
                reason = self.data.get(f"reason_{member.pk}", "")
            elif member.pk in saved:
                present, reason = saved[member.pk].attended, saved[member.pk].absence_reason
            else:
                present, reason = not self.instance.pk, ""
            rows.append({"member": member, "present": present, "reason": reason})
        return rows

    def attendance_picks(self) -> list[AttendancePick]:
        present = set(self.data.getlist("present"))
        return [
            AttendancePick(
                member_id=member.pk,
                attended=str(member.pk) in present,
                absence_reason=self.data.get(f"reason_{member.pk}", ""),
            )
            for member in self.roster
        ]

    def clean(self):
        cleaned = super().clean()
        missing = [
            row["member"].name for row in self.attendance_rows() if not row["present"] and not row["reason"].strip()
        ]
        if missing:
            self.add_error(None, _("请填写缺席原因：%(names)s") % {"names": "、".join(missing)})
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACTIVITY_WRITABLE}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("退回时必须填写退回理由")},
    )


class ComplianceRuleForm(forms.Form):
    """A new compliance rule from a date on (the service validates and decides)."""

    activity_type = forms.ChoiceField(label=_("活动类型"), choices=ActivityType.choices)
    period = forms.ChoiceField(label=_("周期"), choices=ComplianceRule.Period.choices)
    minimum = forms.IntegerField(label=_("最少次数"), min_value=1, max_value=99, initial=1)
    applies_to = forms.ChoiceField(
        label=_("适用范围"), choices=ComplianceRule.Condition.choices, initial=ComplianceRule.Condition.ALWAYS
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    effective_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
