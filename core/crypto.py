"""Encryption at rest for personal data, and blind indexes for look-up.

Encryption is Fernet (AES-128-CBC + HMAC-SHA256) from the `cryptography`
package. The field wrapper is ours rather than a third-party field package
because the packages on offer either derive the key from SECRET_KEY (so
rotating the session key would lose every ID number) or keep per-instance
state that is not thread-safe. Keys come from FIELD_ENCRYPTION_KEYS: the
first encrypts, all decrypt, so a key can be rotated without downtime.
"""

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def blind_index(value: str) -> str:
    """A keyed hash for equality look-ups on an encrypted value.

    Equal normalized inputs give equal indexes; without BLIND_INDEX_KEY the
    index cannot be reversed by hashing every possible ID number.
    """
    normalized = value.strip().upper()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code only ever sees the plain text."""

    def from_db_value(self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper) -> str | None:
        if value in (None, ""):
            return value
        try:
            return decrypt_text(value)
        except InvalidToken as exc:
            raise ValueError("an encrypted value could not be decrypted: wrong FIELD_ENCRYPTION_KEYS?") from exc

    def formfield(self, **kwargs: Any) -> Any:
        # Short values (a phone, an ID number): one line to type in, not a textarea.
        from django import forms

        return super().formfield(**{"widget": forms.TextInput, **kwargs})

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_text(str(value))
