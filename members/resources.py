"""Roster import and export (.xlsx) through django-import-export.

Import builds every row with `prepare_member` and saves it with
`member_save_new`, so a row passes exactly the rules the form applies
(ID check digit, stage dates in order, district-wide duplicate look-up).
Export masks ID numbers and phones unless the user may see them whole.
"""

import io
from datetime import date, datetime

import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from core.masking import mask_id_number, mask_phone
from core.uploads import NotAWorkbook, SheetTooLarge, UploadRefused, check_sheet_extent, check_zip
from orgs import policy
from orgs.models import PartyOrganization

from .models import Member, Stage
from .services import member_save_new, prepare_member

# An organization's roster is tens or hundreds of members; a street's, a few thousand.
ROSTER_MAX_ROWS = 5_000
ROSTER_MAX_COLUMNS = 200
ROSTER_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 5,000 members unpack to a few MB of XML.
ROSTER_MAX_INFLATED_BYTES = 50 * 1024 * 1024


def roster_dataset(upload: UploadedFile) -> tablib.Dataset:
    """The uploaded roster as a dataset, once the file passed what a hostile
    one meets first: its size, the zip bomb check and the sheet's extent
    (before openpyxl unpacks anything), then the row cap. Raises
    UploadRefused with a message for the user."""
    unreadable = _("无法读取该文件，请上传 .xlsx 格式的名册（可先导出一份作为模板）")
    too_many = _("名册行数超过上限：每次最多导入 %(n)s 名党员，请拆分为几个文件分批导入") % {
        "n": f"{ROSTER_MAX_ROWS:,}"
    }
    if upload.size is not None and upload.size > ROSTER_MAX_UPLOAD_BYTES:
        raise UploadRefused(_("文件过大：名册文件最大 %(mb)d MB") % {"mb": ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)})
    try:
        check_zip(upload, max_inflated=ROSTER_MAX_INFLATED_BYTES)
        check_sheet_extent(upload, max_row=ROSTER_MAX_ROWS + 1, max_column=ROSTER_MAX_COLUMNS)
    except NotAWorkbook:
        raise UploadRefused(unreadable)
    except SheetTooLarge as exc:
        raise UploadRefused(
            _("表格范围超出上限：工作表“%(sheet)s”用到%(where)s；名册每次最多导入 %(n)s 名党员、最多 %(cols)d 列。"
              "请删除多余的行和列，或拆分为几个文件分批导入。")
            % {"sheet": exc.sheet, "where": exc.where(ROSTER_MAX_ROWS + 1, ROSTER_MAX_COLUMNS),
               "n": f"{ROSTER_MAX_ROWS:,}", "cols": ROSTER_MAX_COLUMNS}
        )  # fmt: skip
    upload.seek(0)
    try:
        dataset = tablib.Dataset().load(io.BytesIO(upload.read()), format="xlsx")
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same answer
        raise UploadRefused(unreadable)
    if len(dataset) > ROSTER_MAX_ROWS:
        raise UploadRefused(too_many)
    return dataset


class ChoiceLabelWidget(widgets.Widget):
    """Cells carry the Chinese label (正式党员); the database the code."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.by_label = {str(label): value for value, label in choices}
        self.by_value = {value: str(label) for value, label in choices}

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        if text in self.by_label:
            return self.by_label[text]
        if text in self.by_value:
            return text
        raise ValueError(_("无法识别“%(v)s”，可选：%(c)s") % {"v": text, "c": "、".join(self.by_label)})

    def render(self, value, obj=None, **kwargs):
        return self.by_value.get(value, "")


class LenientDateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        for fmt in self.FORMATS:
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date, no time of day)
            except ValueError:
                continue
        raise ValueError(_("日期格式应为 2024-05-01"))

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return str(value or "").strip() in ("是", "1", "True", "true", "Y", "y")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


def _field(attribute: str, column: str, widget=None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=widget or widgets.CharWidget())


class MemberResource(resources.ModelResource):
    name = _field("name", "姓名")
    gender = _field("gender", "性别", ChoiceLabelWidget(Member.Gender.choices))
    id_number = _field("id_number", "身份证号")
    phone = _field("phone", "手机号")
    education = _field("education", "学历", ChoiceLabelWidget(Member.Education.choices))
    job = _field("job", "职务/岗位")
    enterprise = fields.Field(attribute="enterprise", column_name="工作单位")
    stage = _field("stage", "发展阶段", ChoiceLabelWidget(Stage.choices))
    applied_on = _field("applied_on", "递交入党申请日期", LenientDateWidget())
    activist_on = _field("activist_on", "确定积极分子日期", LenientDateWidget())
    candidate_on = _field("candidate_on", "确定发展对象日期", LenientDateWidget())
    probationary_on = _field("probationary_on", "接收预备党员日期", LenientDateWidget())
    formal_on = _field("formal_on", "转为正式党员日期", LenientDateWidget())
    mobility = _field("mobility", "流动情况", ChoiceLabelWidget(Member.Mobility.choices))
    identity_revealed = _field("identity_revealed", "已亮身份", YesNoWidget())
    organization = fields.Field(attribute="organization", column_name="所在党组织", readonly=True)
    status = _field("status", "党籍状态", ChoiceLabelWidget(Member.Status.choices))

    IMPORTED = [
        "name",
        "gender",
        "phone",
        "education",
        "job",
        "stage",
        "applied_on",
        "activist_on",
        "candidate_on",
        "probationary_on",
        "formal_on",
        "mobility",
        "identity_revealed",
    ]

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "id_number",
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
            "organization",
            "status",
        ]
        import_id_fields = []
        clean_model_instances = False
        skip_diff = True

    def __init__(self, *, user, organization: PartyOrganization | None = None):
        super().__init__()
        self.user = user
        self.organization = organization

    # --- export -----------------------------------------------------------
    def dehydrate_id_number(self, member: Member) -> str:
        return member.id_number if policy.may_reveal_member(self.user, member) else mask_id_number(member.id_number)

    def dehydrate_phone(self, member: Member) -> str:
        return member.phone if policy.may_reveal_member(self.user, member) else mask_phone(member.phone)

    def dehydrate_enterprise(self, member: Member) -> str:
        return member.enterprise.name if member.enterprise_id else ""

    def dehydrate_organization(self, member: Member) -> str:
        return member.organization.name

    # --- import -----------------------------------------------------------
    def get_instance(self, instance_loader, row):
        return None  # every row is a new member; an existing number is refused with where it lives

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute in ("enterprise", "organization", "status"):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        name = str(row.get("工作单位") or "").strip()
        instance.enterprise = None
        if name:
            instance.enterprise = self.organization.enterprises.filter(name=name).first()
            if instance.enterprise is None:
                errors["enterprise"] = [_("工作单位“%(n)s”不是本党组织覆盖的企业") % {"n": name}]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        values = {name: getattr(instance, name) for name in self.IMPORTED}
        values["enterprise"] = instance.enterprise
        values["stage"] = values["stage"] or Stage.FORMAL
        values["identity_revealed"] = bool(values["identity_revealed"])
        prepared = prepare_member(organization=self.organization, id_number=str(instance.id_number or ""), **values)
        instance.__dict__.update({k: v for k, v in prepared.__dict__.items() if k != "_state"})

    def save_instance(self, instance, is_create, row, **kwargs):
        # Saved even on a dry run: the transaction is rolled back afterwards,
        # and saving is what finds a number repeated inside the same file.
        member_save_new(member=instance, by=self.user)


def import_errors(result) -> list[dict]:
    """Row-level errors of an import result, in spreadsheet row numbers
    (the header is row 1)."""
    rows = []
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            column = MemberResource.fields[field].column_name if field in MemberResource.fields else ""
            for message in messages:
                rows.append({"row": invalid.number + 1, "column": column, "message": message})
    for number, errors in result.row_errors():
        for error in errors:
            rows.append({"row": number + 1, "column": "", "message": str(error.error)})
    return sorted(rows, key=lambda r: r["row"])
