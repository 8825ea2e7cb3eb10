"""The rules a person on the roster keeps (DESIGN.md §6), in one place.

Gender and birth date follow from the ID number; the development pipeline
keeps the Party's own timetable: an applicant is at least 18 on the
application date, an activist is trained at least a year before becoming a
发展对象, and probation lasts a year before 转正.

`member_rule_errors` is the only statement of these rules. The services
(`prepare_member`, `member_update`, `member_advance_stage`) ask it before
anything is written, so the roster page, the API, the roster import and
any operator command refuse the same people with the same messages; the
demo seed's test asks it of every person the seed makes.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.validators import birth_date_from_id, validate_id_number

from .models import STAGE_DATE_FIELDS, Member

ADULT_AGE = 18
ACTIVIST_TRAINING = relativedelta(years=1)
PROBATION = relativedelta(years=1)


def gender_from_id_number(number: str) -> str:
    """The gender an 18-digit ID number states: its 17th digit is odd for men."""
    return Member.Gender.MALE if int(number[16]) % 2 else Member.Gender.FEMALE


def _label(field_name: str) -> str:
    field = Member._meta.get_field(field_name)
    return str(getattr(field, "verbose_name", field_name))


def _valid_number(value: str) -> str | None:
    try:
        return validate_id_number(value)
    except ValidationError:
        return None  # the ID number's own check names that field


def member_rule_errors(member: Member) -> dict[str, str]:
    """The domain rules `member` breaks, as {field: Chinese message naming
    the field}; empty when it keeps them all. Reads, never writes."""
    errors: dict[str, str] = {}
    number = _valid_number(member.id_number or "")
    id_birth: date | None = birth_date_from_id(number) if number else None
    if id_birth and id_birth > timezone.localdate():
        errors["id_number"] = _("身份证号中的出生日期（%(date)s）晚于今天") % {"date": id_birth.isoformat()}
        id_birth = None

    if number and member.gender:
        expected = gender_from_id_number(number)
        if member.gender != expected:
            errors["gender"] = _("性别与身份证号不符：身份证号第17位为%(parity)s，应为%(gender)s") % {
                "parity": _("奇数") if expected == Member.Gender.MALE else _("偶数"),
                "gender": Member.Gender(expected).label,
            }

    if id_birth and member.birth_date and member.birth_date != id_birth:
        errors["birth_date"] = _("出生日期与身份证号不符：身份证号中的出生日期为%(date)s") % {
            "date": id_birth.isoformat()
        }

    # The first date of the pipeline on record: an application came no later,
    # so the person was at least 18 then.
    birth = id_birth or member.birth_date
    first = next(((name, getattr(member, name)) for _stage, name in STAGE_DATE_FIELDS if getattr(member, name)), None)
    if birth and first and birth <= timezone.localdate():
        field_name, on = first
        adult_on = birth + relativedelta(years=ADULT_AGE)
        if on < adult_on:
            errors[field_name] = _("递交入党申请时须年满18周岁（出生日期%(birth)s）：%(field)s不能早于%(date)s") % {
                "birth": birth.isoformat(),
                "field": _label(field_name),
                "date": adult_on.isoformat(),
            }

    _wait_kept(
        member,
        errors,
        since="activist_on",
        field_name="candidate_on",
        wait=ACTIVIST_TRAINING,
        message=_("入党积极分子须培养一年以上才能确定为发展对象：%(field)s不能早于%(date)s"),
    )
    _wait_kept(
        member,
        errors,
        since="probationary_on",
        field_name="formal_on",
        wait=PROBATION,
        message=_("预备期为一年：%(field)s不能早于%(date)s"),
    )
    return errors


def _wait_kept(
    member: Member, errors: dict[str, str], *, since: str, field_name: str, wait: relativedelta, message: str
) -> None:
    """A stage's date comes no earlier than `wait` after the stage before it
    (`since`); otherwise `message` names the field and its earliest date,
    unless the field already has an error."""
    start, on = getattr(member, since), getattr(member, field_name)
    if start and on:
        earliest = start + wait
        if on < earliest and field_name not in errors:
            errors[field_name] = message % {"field": _label(field_name), "date": earliest.isoformat()}
