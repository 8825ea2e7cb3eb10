"""How personal identifiers look to someone who may not see them whole."""


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def keep_if_masked(value: str | None, recorded: str | None) -> str:
    """What to store when `value` comes back from something we sent out
    masked: the mask of the recorded number, sent back unchanged (a ledger
    export re-imported, an API read written back), means "keep the recorded
    number", not "store the stars"."""
    value = value or ""
    if recorded and value != recorded and value == mask_phone(recorded):
        return recorded
    return value
