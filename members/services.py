"""Writes of members. ID numbers are checked, encrypted and indexed here."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.crypto import blind_index
from core.errors import ApplicationError
from core.validators import birth_date_from_id, validate_id_number, validate_phone
from orgs.models import PartyOrganization, User

from .models import Member, MemberEvent
from .selectors import member_by_id_number

MEMBER_WRITABLE = [
    "name",
    "gender",
    "birth_date",
    "phone",
    "education",
    "job",
    "enterprise",
    "stage",
    "applied_on",
    "activist_on",
    "candidate_on",
    "probationary_on",
    "formal_on",
    "mobility",
    "identity_revealed",
    "joined_org_on",
]


def _check_duplicate(id_number: str, exclude_pk: int | None = None) -> None:
    existing = member_by_id_number(id_number=id_number)
    if existing is not None and existing.pk != exclude_pk:
        raise ApplicationError(
            {
                "id_number": _("该身份证号已登记在「%(org)s」（党员：%(name)s），同一人不能同时在两个党组织")
                % {"org": existing.organization.name, "name": existing.name}
            }
        )


def prepare_member(*, organization: PartyOrganization, id_number: str, **fields) -> Member:
    """Validate and build (not save) a member: shared by the form, the API
    and the roster import so all three apply the same rules."""
    unknown = set(fields) - set(MEMBER_WRITABLE)
    if unknown:
        raise ApplicationError(_("不可写入的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    try:
        number = validate_id_number(id_number)
    except ValidationError as exc:
        raise ApplicationError({"id_number": exc.messages}) from None
    if fields.get("phone"):
        try:
            fields["phone"] = validate_phone(fields["phone"])
        except ValidationError as exc:
            raise ApplicationError({"phone": exc.messages}) from None
    fields.setdefault("birth_date", birth_date_from_id(number))
    member = Member(organization=organization, id_number=number, id_number_index=blind_index(number), **fields)
    member.phone_index = blind_index(member.phone) if member.phone else ""
    member.full_clean(exclude=["id_number_index", "phone_index"])
    return member


@transaction.atomic
def member_create(*, organization: PartyOrganization, id_number: str, by: User | None, **fields) -> Member:
    member = prepare_member(organization=organization, id_number=id_number, **fields)
    _check_duplicate(member.id_number)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        # Two filings of one number raced past the check: the unique index decides.
        _check_duplicate(member.id_number)
        raise
    MemberEvent.objects.create(
        member=member,
        kind=MemberEvent.Kind.JOINED,
        happened_on=date.today(),
        to_organization=organization,
        recorded_by=by,
    )
    return member


def member_reveal(*, member: Member, by: User, request=None) -> dict[str, str]:
    """The whole ID number and phone of one member, with an audit record of
    who saw them, when and from where. Callers check `member_may_reveal` first."""
    from orgs.audit import audit_event

    audit_event(
        actor=by,
        instance=member,
        event="reveal",
        detail={"fields": ["id_number", "phone"]},
        request=request,
    )
    return {"id_number": member.id_number, "phone": member.phone}
