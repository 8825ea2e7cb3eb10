"""Forms for roster pages. They list the writable fields; the services
(prepare_member, member_update, ...) apply the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Member, MemberEvent
from .services import MEMBER_WRITABLE, RECORDABLE_KINDS

DATE = {"type": "date"}


class MemberForm(forms.ModelForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=24)

    class Meta:
        model = Member
        fields = [f for f in MEMBER_WRITABLE if f != "birth_date"]
        widgets = {
            name: forms.DateInput(attrs=DATE, format="%Y-%m-%d")
            for name in ("applied_on", "activist_on", "candidate_on", "probationary_on", "formal_on", "joined_org_on")
        }

    def __init__(self, *args, enterprises=None, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprises is not None:
            self.fields["enterprise"].queryset = enterprises
        if self.instance.pk:
            # A masked number is never put into the page; left empty, it stays as it is.
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("留空则不修改（当前 %(masked)s）") % {
                "masked": self.instance.id_number_masked
            }
            self.initial["phone"] = ""
            self.fields["phone"].help_text = _("留空则不修改（当前 %(masked)s）") % {
                "masked": self.instance.phone_masked or "—"
            }
        if organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                queryset=organizations, label=_("组织关系所在党组织"), empty_label=None
            )
            self.order_fields(["organization", "name", "id_number"])

    def _post_clean(self):
        # The services validate the member as a whole (prepare_member /
        # member_update); the model's own clean is not run twice here.
        pass

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        for name in ("phone", "education", "job"):
            fields[name] = fields[name] or ""
        if self.instance.pk and not fields["phone"]:
            fields.pop("phone")
        return fields


class AdvanceForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"), choices=[(k.value, k.label) for k in map(MemberEvent.Kind, RECORDABLE_KINDS)]
    )
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("原因/说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class TransferForm(forms.Form):
    to_organization = forms.ModelChoiceField(queryset=None, label=_("接收党组织"))
    reason = forms.CharField(label=_("转接原因"), required=False, max_length=500)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = targets


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("处理意见"), required=False, max_length=500)


class ImportForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("导入到党组织"), empty_label=None)
    file = forms.FileField(label=_("名册文件（.xlsx）"))
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
