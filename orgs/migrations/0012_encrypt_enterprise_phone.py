"""Enterprise and survey contact phones encrypted at rest (PIPL personal data).

Reversible: forwards encrypts every stored phone with the first of
FIELD_ENCRYPTION_KEYS; backwards decrypts them to plain text again (it needs
a key that encrypted them) before the column goes back to varchar(30).
Values that already are ciphertext are left as they are, so running it over
a half-encrypted table (an interrupted run) is safe.

Survey batches keep previous phones for their rollback (`undo`): those are
encrypted too (and decrypted backwards), as the import now writes them. The
phones in a batch's preview of changes (`report`) are masked, one way: the
preview only ever needed to say that a phone changed.
"""

from cryptography.fernet import InvalidToken
from django.db import migrations

import core.crypto
import core.masking
import django.core.validators

TABLES = ("orgs_enterprise", "orgs_enterprisesurvey")
CHUNK = 2000
# Every Fernet token starts with its version byte 0x80 and a timestamp, base64: "gAAAAA".
TOKEN_PREFIX = "gAAAAA"


def _is_token(value: str) -> bool:
    if not value.startswith(TOKEN_PREFIX):
        return False
    try:
        core.crypto.decrypt_text(value)
    except InvalidToken:
        return False
    return True


def _rewrite(schema_editor, convert) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in TABLES:
            last = 0
            while True:
                cursor.execute(
                    f"SELECT id, phone FROM {table} WHERE id > %s AND phone <> '' ORDER BY id LIMIT {CHUNK}", [last]
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                changed = [(pk, new) for pk, old in rows if (new := convert(old)) != old]
                if not changed:
                    continue
                cases = " ".join("WHEN %s THEN %s" for _ in changed)
                marks = ", ".join("%s" for _ in changed)
                params = [v for pair in changed for v in pair] + [pk for pk, _ in changed]
                cursor.execute(f"UPDATE {table} SET phone = CASE id {cases} END WHERE id IN ({marks})", params)


def _encrypt(value: str) -> str:
    return value if _is_token(value) else core.crypto.encrypt_text(value)


def _decrypt(value: str) -> str:
    # A token that does not decrypt raises: better to stop than to leave ciphertext behind.
    return core.crypto.decrypt_text(value) if value.startswith(TOKEN_PREFIX) else value


PHONE_HEADER = "联系电话"  # surveys.columns: the phone column's header, as a preview's diff names it


def _rewrite_batches(apps, convert, *, mask_report: bool) -> None:
    ImportBatch = apps.get_model("orgs", "ImportBatch")
    for batch in ImportBatch.objects.exclude(undo={}, report={}).only("pk", "undo", "report").iterator():
        changed = []
        undo = batch.undo or {}
        for key in ("enterprises_updated", "surveys_updated"):
            for values in (undo.get(key) or {}).values():
                if isinstance(values, dict) and values.get("phone"):
                    values["phone"] = convert(values["phone"])
                    changed.append("undo")
        if mask_report:
            for change in (batch.report or {}).get("changes") or []:
                for item in change.get("diff") or []:
                    if item and item[0] == PHONE_HEADER:
                        item[1:] = [core.masking.mask_phone(v) for v in item[1:]]
                        changed.append("report")
        if changed:
            ImportBatch.objects.filter(pk=batch.pk).update(
                **{name: getattr(batch, name) for name in set(changed)}
            )


def encrypt_phones(apps, schema_editor) -> None:
    _rewrite(schema_editor, _encrypt)
    _rewrite_batches(apps, _encrypt, mask_report=True)


def decrypt_phones(apps, schema_editor) -> None:
    _rewrite(schema_editor, _decrypt)
    _rewrite_batches(apps, _decrypt, mask_report=False)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0011_said_in_reader_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="enterprise",
            name="phone",
            field=core.crypto.EncryptedTextField(
                blank=True,
                max_length=30,
                validators=[django.core.validators.MaxLengthValidator(30)],
                verbose_name="联系电话",
            ),
        ),
        migrations.AlterField(
            model_name="enterprisesurvey",
            name="phone",
            field=core.crypto.EncryptedTextField(
                blank=True,
                max_length=30,
                validators=[django.core.validators.MaxLengthValidator(30)],
                verbose_name="联系电话",
            ),
        ),
        migrations.RunPython(encrypt_phones, decrypt_phones, elidable=False),
    ]
