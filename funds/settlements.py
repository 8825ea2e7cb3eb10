"""报账 (DESIGN.md §5): after the activity, the secretary reports what it
really cost, line by line, each line with its receipt; the street reviews
the settlement and approves or returns it. Only the street's approval makes
it final, and only then does the journal move: the unspent remainder flows
back, to the pool first as far as the pool paid, the rest to the
organization's own account (DESIGN.md: "unspent money goes back")."""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import ApplicationError
from core.files import KIND_EXTENSIONS, FileKind, extension_of, sniff
from core.i18n import said
from core.money import ZERO, parse_money
from orgs import policy
from orgs.models import User
from orgs.policy import require
from orgs.scoping import AnyUser

from .ledger import amount_parse, external_account, ledger_post, organization_pool, retry_on_conflict, today
from .models import (
    Application,
    ApplicationStep,
    FundAccount,
    Receipt,
    Settlement,
    SettlementLine,
    TransactionKind,
)
from .notifications import notify, secretaries, street_staff
from .withdrawals import lock, move

RECEIPT_EXTENSIONS = {"pdf", "ofd", "jpg", "jpeg", "png"}
RECEIPT_KINDS = {FileKind.PDF, FileKind.OFD, FileKind.JPEG, FileKind.PNG}
RECEIPT_MAX_BYTES = 10 * 1024 * 1024


def _receipt_check(upload: UploadedFile) -> tuple[str, FileKind, bytes]:
    """A receipt is what its content says, and that must be a PDF without
    active content, an OFD, a JPEG or a PNG matching its name; checked
    before anything is written."""
    name = os.path.basename(upload.name or "") or _("票据")
    if extension_of(name) not in RECEIPT_EXTENSIONS:
        raise ApplicationError({"receipts": [_("票据「%(name)s」格式不支持，请上传 PDF、OFD 或图片") % {"name": name}]})
    too_big = ApplicationError({"receipts": [_("票据「%(name)s」超过 10MB") % {"name": name}]})
    if (upload.size or 0) > RECEIPT_MAX_BYTES:
        raise too_big
    upload.seek(0)
    content = upload.read(RECEIPT_MAX_BYTES + 1)
    if len(content) > RECEIPT_MAX_BYTES:
        raise too_big
    try:
        kind = sniff(content, name=name)
    except ApplicationError as exc:
        raise ApplicationError({"receipts": exc.messages}) from None
    if kind is None or kind not in RECEIPT_KINDS:
        raise ApplicationError(
            {
                "receipts": [
                    _("票据「%(name)s」的内容不是PDF、OFD或图片，与文件名不符，请上传原始票据文件") % {"name": name}
                ]
            }
        )
    return name, kind, content


@dataclass
class _Line:
    item: str
    amount: Decimal
    receipt: tuple[str, FileKind, bytes] | None


def _clean_lines(raw_lines: Sequence[dict]) -> list[_Line]:
    """Each line: an item, an actual amount above zero, and its receipt file."""
    errors: dict[str, list[str]] = {}
    lines: list[_Line] = []
    for i, raw in enumerate(raw_lines, start=1):
        item = (raw.get("item") or "").strip()
        if not item:
            errors.setdefault("lines", []).append(_("第%(n)s项报账明细缺少支出项目名称") % {"n": i})
        try:
            amount = amount_parse(raw.get("amount"), field=_("第%(n)s项实际金额") % {"n": i})
        except ApplicationError as exc:
            errors.setdefault("lines", []).extend(exc.messages)
            amount = None
        upload = raw.get("receipt")
        checked = None
        if not upload:
            errors.setdefault("lines", []).append(_("第%(n)s项报账明细缺少票据") % {"n": i})
        else:
            try:
                checked = _receipt_check(upload)
            except ApplicationError as exc:
                errors.setdefault("receipts", []).extend(exc.messages)
        if item and amount is not None:
            lines.append(_Line(item=item[:100], amount=amount, receipt=checked))
    if errors:
        raise ApplicationError(errors)
    return lines


def _check_total(application: Application, total: Decimal, *, field: str) -> None:
    """The lines' sum is what the street approves and the journal keeps as spent;
    above the disbursed amount there is nothing to pay it from."""
    if total > application.amount:
        message = _("实际支出 %(spent)s 元超过拨付金额 %(amount)s 元") % {"spent": total, "amount": application.amount}
        raise ApplicationError({field: [message]})


def _lines_from_spent(application: Application, spent: object, receipts: Sequence[UploadedFile]) -> tuple:
    """The older form of a settlement: one total and the receipts beside it.
    It becomes one line, 实际支出, carrying the first receipt; the others are
    kept with the application."""
    try:
        spent_value = parse_money(spent, field_label=_("实际支出"))
    except ApplicationError as exc:
        raise ApplicationError({"spent": exc.messages}) from None
    if spent_value < ZERO:
        raise ApplicationError({"spent": [_("实际支出不能为负数")]})
    _check_total(application, spent_value, field="spent")
    if spent_value > ZERO and not receipts and not application.receipts.exists():
        raise ApplicationError({"receipts": [_("请上传报账票据")]})
    checked = [_receipt_check(upload) for upload in receipts]
    lines = [_Line(item=_("实际支出"), amount=spent_value, receipt=checked[0] if checked else None)]
    return [line for line in lines if line.amount > ZERO], checked[1:]


def _store_receipt(application: Application, checked: tuple[str, FileKind, bytes], by: User) -> Receipt:
    name, kind, content = checked
    # Stored under a random name with the extension of what it really is.
    return Receipt.objects.create(
        application=application,
        file=ContentFile(content, name=f"receipt.{KIND_EXTENSIONS[kind]}"),
        description=name[:200],
        uploaded_by=by,
    )


def settle_date_refusal(application: Application, on: date) -> str | None:
    """Why a settlement dated `on` is too early, if it is: not before the
    activity date the application planned."""
    if on < application.activity_date:
        return _("报账日期（%(on)s）早于活动日期（%(planned)s），活动结束后才能报账") % {
            "on": on,
            "planned": application.activity_date,
        }
    return None


@retry_on_conflict
def application_settle(
    *,
    application: Application,
    by: User,
    lines: Sequence[dict] | None = None,
    spent: object = None,
    receipts: Sequence[UploadedFile] = (),
    note: str = "",
    on: date | None = None,
    request=None,
) -> Application:
    """The secretary submits the 报账: `lines` of {item, amount, receipt}
    (or, as before, one `spent` total with `receipts`). It goes to the
    street for review; nothing moves in the journal yet."""
    application = lock(application)
    require(policy.may_settle(by, application), _("只有本党组织书记或区两新工委工作人员可以报账"))
    if application.status == Application.Status.SETTLED:
        raise ApplicationError(_("该申请已报账，不能重复报账"))
    if application.status == Application.Status.SETTLEMENT_REVIEW:
        raise ApplicationError(_("该申请的报账正在等待街道审核，不能重复提交"))
    if application.status != Application.Status.DISBURSED:
        raise ApplicationError(_("该申请尚未拨付，不能报账"))
    on = on or today()
    refusal = settle_date_refusal(application, on)
    if refusal:
        raise ApplicationError({"settled_on": [refusal]})
    extra: list = []
    if lines is None:
        clean, extra = _lines_from_spent(application, spent, receipts)
    else:
        clean = _clean_lines(lines)
    total = sum((line.amount for line in clean), ZERO)
    _check_total(application, total, field="spent" if lines is None else "lines")
    settlement = Settlement.objects.create(
        application=application, settled_on=on, spent=total, note=note or "", submitted_by=by
    )
    SettlementLine.objects.bulk_create(
        [
            SettlementLine(
                settlement=settlement,
                item=line.item,
                amount=line.amount,
                receipt=_store_receipt(application, line.receipt, by) if line.receipt else None,
            )
            for line in clean
        ]
    )
    for checked in extra:
        _store_receipt(application, checked, by)
    move(
        application,
        to=Application.Status.SETTLEMENT_REVIEW,
        action=ApplicationStep.Action.SETTLE_SUBMIT,
        by=by,
        reason=_("实际支出 %(spent)s 元，共 %(n)s 项") % {"spent": total, "n": len(clean)},
        request=request,
        fields=[],
    )
    notify(
        street_staff(application),
        application,
        said(
            gettext_noop("待审核报账：%(org)s「%(activity)s」实际支出 %(spent)s 元"),
            org=application.organization.name,
            activity=application.activity,
            spent=total,
        ),
    )
    return application


def pending_settlement(application: Application) -> Settlement | None:
    return application.settlements.filter(status=Settlement.Status.PENDING).first()


def _separation_refusal(by: AnyUser, settlement: Settlement) -> str | None:
    if not policy.acts_apart_from(by, [settlement.submitted_by_id]):
        return _("不能审核本人提交的报账")
    return None


def may_review_settlement_now(*, user: AnyUser, application: Application) -> bool:
    """What the page's approve button asks: the grant, the turn and the separation of duties."""
    if application.status != Application.Status.SETTLEMENT_REVIEW:
        return False
    settlement = pending_settlement(application)
    return (
        settlement is not None
        and policy.may_review_settlement(user, application)
        and _separation_refusal(user, settlement) is None
    )


def _under_review(application: Application, by: User) -> Settlement:
    require(policy.may_review_settlement(by, application), _("只有本街道非公党委工作人员可以审核报账"))
    if application.status == Application.Status.SETTLED:
        raise ApplicationError(_("该申请已报账完毕，不能重复审核"))
    settlement = pending_settlement(application)
    if application.status != Application.Status.SETTLEMENT_REVIEW or settlement is None:
        raise ApplicationError(
            _("此申请当前没有待审核的报账（当前状态：%(s)s）") % {"s": application.get_status_display()}
        )
    return settlement


def _decide(settlement: Settlement, *, status: str, by: User, opinion: str) -> None:
    settlement.status = status
    settlement.decided_by = by
    settlement.decided_at = timezone.now()
    settlement.opinion = opinion
    settlement.save(update_fields=["status", "decided_by", "decided_at", "opinion"])


@retry_on_conflict
def settlement_approve(
    *, application: Application, by: User, opinion: str = "", on: date | None = None, request=None
) -> Application:
    """The street approves the 报账: now it is final, and the unspent
    remainder (approved amount − the sum of the lines) flows back."""
    application = lock(application)
    settlement = _under_review(application, by)
    refusal = _separation_refusal(by, settlement)
    require(refusal is None, refusal or "")
    on = on or today()
    spent = settlement.spent
    unspent = application.amount - spent
    return_txn = None
    to_pool = min(unspent, application.pool_amount)
    if unspent > ZERO:
        sink = external_account(FundAccount.Kind.EXTERNAL_SINK)
        legs: list[tuple[FundAccount, Decimal]] = [(sink, -unspent)]
        if to_pool > ZERO:
            legs.append((organization_pool(application.organization), to_pool))
        if unspent - to_pool > ZERO:
            legs.append((application.account, unspent - to_pool))
        return_txn = ledger_post(
            kind=TransactionKind.RETURN,
            occurred_on=on,
            memo=_("结余退回：申请 #%(pk)s") % {"pk": application.pk},
            legs=legs,
            by=by,
        )
    _decide(settlement, status=Settlement.Status.APPROVED, by=by, opinion=(opinion or "").strip())
    application.spent_amount = spent
    application.pool_returned = to_pool
    application.return_transaction = return_txn
    application.settlement_note = settlement.note
    move(
        application,
        to=Application.Status.SETTLED,
        action=ApplicationStep.Action.SETTLE,
        by=by,
        reason=_("实际支出 %(spent)s 元，退回 %(back)s 元") % {"spent": spent, "back": unspent},
        request=request,
    )
    notify(
        secretaries(application),
        application,
        said(gettext_noop("报账已审核通过：实际支出 %(spent)s 元，结余 %(back)s 元已退回"), spent=spent, back=unspent),
    )
    return application


@retry_on_conflict
def settlement_return(*, application: Application, by: User, reason: str, request=None) -> Application:
    """The street sends the 报账 back, always with a reason; the secretary
    corrects it and submits again. Nothing has moved in the journal."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": [_("退回必须填写理由")]})
    application = lock(application)
    settlement = _under_review(application, by)
    _decide(settlement, status=Settlement.Status.RETURNED, by=by, opinion=reason)
    move(
        application,
        to=Application.Status.DISBURSED,
        action=ApplicationStep.Action.SETTLE_RETURN,
        by=by,
        reason=reason,
        request=request,
        fields=[],
    )
    notify(
        secretaries(application),
        application,
        said(gettext_noop("您的报账被退回：%(reason)s"), reason=reason[:200]),
    )
    return application
