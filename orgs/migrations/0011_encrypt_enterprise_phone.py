"""Enterprise and survey contact phones encrypted at rest (PIPL personal data).

Reversible: forwards encrypts every stored phone with the first of
FIELD_ENCRYPTION_KEYS; backwards decrypts them to plain text again (it needs
a key that encrypted them) before the column goes back to varchar(30).
Values that already are ciphertext are left as they are, so running it over
a half-encrypted table (an interrupted run) is safe.
"""

from cryptography.fernet import InvalidToken
from django.db import migrations

import core.crypto
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


def encrypt_phones(apps, schema_editor) -> None:
    _rewrite(schema_editor, lambda value: value if _is_token(value) else core.crypto.encrypt_text(value))


def decrypt_phones(apps, schema_editor) -> None:
    # A token that does not decrypt raises: better to stop than to leave ciphertext behind.
    _rewrite(schema_editor, lambda value: core.crypto.decrypt_text(value) if value.startswith(TOKEN_PREFIX) else value)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0010_import_batch_decisions"),
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
