"""The pages' forms; every rule is the service's (dues.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Relief

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": "[0-9]{4}-[0-9]{2}"})
MONEY = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": "20"})


class BasisForm(forms.Form):
    category = forms.ChoiceField(label=_("党员类别"), choices=Category.choices)
    monthly_income = forms.CharField(
        label=_("税后月收入（元）"), required=False, widget=MONEY, help_text=_("学生、失业、领取低保党员可不填")
    )
    due_from = forms.CharField(
        label=_("起缴月份"), required=False, widget=MONTH, help_text=_("缺省为接收为预备党员的月份")
    )
    arrears_reason = forms.CharField(
        label=_("欠缴说明"), required=False, max_length=200, help_text=_("如有正当理由暂未交纳，请说明")
    )


class PaymentForm(forms.Form):
    period = forms.CharField(label=_("所属月份"), widget=MONTH)
    amount = forms.CharField(label=_("金额（元）"), widget=MONEY)
    paid_on = forms.DateField(label=_("缴纳日期"), widget=DATE)


class ReliefForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Relief.Kind.choices)
    monthly_amount = forms.CharField(label=_("减交后每月金额（元）"), required=False, widget=MONEY)
    first_period = forms.CharField(label=_("起始月份"), widget=MONTH)
    last_period = forms.CharField(label=_("截止月份"), widget=MONTH)
    reason = forms.CharField(label=_("理由"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("党费表（.xlsx）"))
