"""Forms only parse what people type; the rules live in the services.
Amounts are read by `core.money.parse_money`, as the API and the services read them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import MoneyFormField

from .models import TransactionKind

INCOME_CHOICES = [
    (k.value, k.label)
    for k in (
        TransactionKind.ENTERPRISE_DEPOSIT,
        TransactionKind.DUES_REBATE,
        TransactionKind.JOINT_FUNDING,
        TransactionKind.SPONSORSHIP,
        TransactionKind.FISCAL_SUBSIDY,
    )
]


class ProjectForm(forms.Form):
    activity = forms.CharField(label=_("活动名称"), max_length=200)
    activity_date = forms.DateField(label=_("活动日期"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.IntegerField(label=_("参加人数"), min_value=1)
    description = forms.CharField(label=_("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # A text box, not a number input: the parser, not the browser, says what is wrong with an amount.
    amount = MoneyFormField(label=_("申请金额（元）"), field_label=_("申请金额"))


class BudgetLineForm(forms.Form):
    item = forms.CharField(label=_("支出项目"), max_length=100, required=False)
    amount = MoneyFormField(label=_("金额（元）"), field_label=_("金额"), required=False)
    note = forms.CharField(label=_("测算说明"), max_length=200, required=False)


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=5, max_num=30)


class ApproveForm(forms.Form):
    opinion = forms.CharField(label=_("审批意见"), required=False, max_length=500)
    publicity_days = forms.IntegerField(label=_("公示天数"), required=False, initial=5)


class SettleForm(forms.Form):
    note = forms.CharField(label=_("报账说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SettleLineForm(forms.Form):
    """One line of a 报账: what was bought, what it really cost, and its receipt."""

    item = forms.CharField(label=_("支出项目"), max_length=100, required=False)
    # A text box, not a number input or a textarea: the parser says what is wrong with an amount.
    amount = MoneyFormField(label=_("实际金额（元）"), field_label=_("实际金额"), required=False)
    receipt = forms.FileField(
        label=_("票据"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.ofd,.jpg,.jpeg,.png"}),
    )


SettleLineFormSet = forms.formset_factory(SettleLineForm, extra=3, max_num=30)


class ReviewForm(forms.Form):
    opinion = forms.CharField(label=_("审核意见"), required=False, max_length=500)


class IncomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("入账类型"), choices=INCOME_CHOICES)
    amount = MoneyFormField(label=_("金额（元）"), field_label=_("金额"))
    occurred_on = forms.DateField(label=_("业务日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    memo = forms.CharField(label=_("摘要"), required=False, max_length=200)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class StarRuleForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("星级"), choices=[(i, f"★{i}") for i in range(1, 6)], coerce=int)
    effective_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    # A rate, not money: the service reads it by the same rules (four places, below 10) and says what is wrong.
    match_rate = forms.CharField(
        label=_("奖励配比（如 0.5 即 50%）"), widget=forms.TextInput(attrs={"maxlength": "10", "inputmode": "decimal"})
    )
    subsidy_cap = MoneyFormField(label=_("年度补助上限（元）"), field_label=_("年度补助上限"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
