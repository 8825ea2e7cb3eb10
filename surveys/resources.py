"""django-import-export resources. The survey resource is the admin's door
to the same mapping and rules as the upload page and the command: headers
are matched through `surveys.columns`, cells parsed by its parsers,
names of streets, parks and industries resolved the same way, and the
cross-column rules are the model's own `clean()` plus the survey's.

The admin door keeps the ledger (Enterprise) only; the yearly snapshot,
organization links and rollback are the upload page's and the command's,
which run the set-based service.
"""

from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from core.masking import keep_if_masked, mask_phone
from orgs.models import BusinessStatus, Enterprise, Industry, LegalType, OrgSetup, Region
from orgs.services import ENTERPRISE_WRITABLE, enterprise_create, enterprise_update

from .columns import COLUMNS, REQUIRED, CellError, Column, check_text, map_headers, neutralise, shown

FK_FIELDS = {"street_name": "street", "park_name": "park", "industry_key": "industry"}
LABELS = {"legal_type": LegalType, "status": BusinessStatus, "org_setup": OrgSetup}


class SurveyCellWidget(widgets.Widget):
    """Parses a cell with the survey column's parser; renders the value as the survey writes it."""

    def __init__(self, column: Column, resource: "SurveyResource"):
        super().__init__()
        self.column = column
        self.resource = resource

    def clean(self, value: Any, row=None, **kwargs) -> Any:
        try:
            parsed = self.column.parse(value)
            if self.column.max_length is not None and isinstance(parsed, str):
                problem = check_text(self.column, parsed)
                if problem is not None:
                    raise CellError(problem)
            if self.column.field in FK_FIELDS:
                return self.resource.resolve(self.column.field, parsed, row)
            return parsed
        except CellError as exc:
            raise ValueError(f"{self.column.header}：{exc}")

    def render(self, value: Any, obj=None, **kwargs) -> Any:
        if value is None:
            return ""
        if self.column.field == "phone":
            # Masked for everyone, as in the ledger export; whole only through the audited reveal.
            return neutralise(mask_phone(value))
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Industry):
            return f"{value.code} {value.name}"
        if isinstance(value, Region):
            return value.name
        choices = LABELS.get(self.column.field)
        if choices is not None and value in choices.values:
            return str(choices(value).label)
        return neutralise(value)


class SurveyResource(resources.ModelResource):
    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.fields = {}
        for column in COLUMNS:
            attribute = FK_FIELDS.get(column.field, column.field)
            self.fields[attribute] = fields.Field(
                attribute=attribute, column_name=column.header, widget=SurveyCellWidget(column, self)
            )
        self._streets: dict[str, Region] | None = None

    class Meta:
        model = Enterprise
        import_id_fields = ["credit_code"]
        fields = ()
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def do_instance_save(self, instance: Enterprise, is_create: bool) -> None:
        """A row is written by the same services as the API's (and under the
        same policy): the resource only parses and resolves."""
        values = {name: getattr(instance, name) for name in ENTERPRISE_WRITABLE}
        if is_create:
            instance.pk = enterprise_create(credit_code=instance.credit_code, by=self.user, **values).pk
        else:
            enterprise_update(enterprise=instance, by=self.user, **values)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        recorded = instance.phone if field.attribute == "phone" and instance.pk else ""
        super().import_field(field, instance, row, is_m2m, **kwargs)
        if field.attribute == "phone":
            # An exported (masked) phone coming back keeps the recorded number.
            instance.phone = keep_if_masked(instance.phone, recorded)

    def get_import_id_fields(self):
        return ["credit_code"]

    def get_instance(self, instance_loader, row):
        return Enterprise.objects.filter(credit_code=self.fields["credit_code"].clean(row)).first()

    # Names → records, as the service resolves them.
    def resolve(self, field: str, value: Any, row) -> Any:
        if field == "street_name":
            if self._streets is None:
                from .selectors import import_streets

                qs = (
                    import_streets(user=self.user)
                    if self.user is not None
                    else Region.objects.filter(kind=Region.Kind.STREET)
                )
                self._streets = {s.name: s for s in qs}
            street = self._streets.get(value) or self._streets.get(f"{value}街道")
            if street is None:
                raise CellError(_("“%(s)s”不是本区已有的街道，或不在您的管辖范围内") % {"s": shown(value)})
            return street
        if field == "park_name":
            if not value:
                return None
            street = self.fields["street"].clean(row)
            park, _created = Region.objects.get_or_create(
                parent=street, name=value, defaults={"kind": Region.Kind.PARK}
            )
            return park
        if field == "industry_key":
            if not value:
                return None
            found = Industry.objects.filter(code=value).first() or Industry.objects.filter(name=value).first()
            if found is None:
                raise CellError(_("“%(v)s”不是国民经济行业门类（A–T 字母或门类名称）") % {"v": shown(value)})
            return found
        return value

    def before_import(self, dataset: tablib.Dataset, **kwargs):
        """Find the header row below any title rows and rename headers to the survey's own text."""
        mapping = map_headers(list(dataset.headers or []))
        start = 0
        if not all(c.field in {m.field for m in mapping.values()} for c in REQUIRED):
            for index, cells in enumerate(dataset[:30]):
                candidate = map_headers(list(cells))
                if all(c.field in {m.field for m in candidate.values()} for c in REQUIRED):
                    mapping, start = candidate, index + 1
                    break
            else:
                raise ValidationError(_("未找到表头：缺少“%(cols)s”") % {"cols": "”“".join(c.header for c in REQUIRED)})
        rows = [list(r) for r in dataset[start:]] if start else [list(r) for r in dataset]
        headers = [mapping[i].header if i in mapping else f"_{i}" for i in range(len(dataset.headers or []))]
        rows = [r for r in rows if any(c not in (None, "") and str(c).strip() for c in r)]
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            dataset.append(row)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.members_formal > instance.members_total:
            errors.setdefault("members_formal", []).append(_("正式党员数不能大于党员总数"))
        super().validate_instance(instance, errors, validate_unique)
