"""The fund's writes, by topic (DESIGN.md §5, §7):

- `funds.ledger`: the journal (`ledger_post`, the only way money moves),
  accounts, reversal, and the retry on a serialization conflict;
- `funds.income`: money coming in, of the five kinds;
- `funds.withdrawals`: the secretary's project (file, resubmit, withdraw);
- `funds.approvals`: street and district approval, returns, objections
  during 公示, disbursement;
- `funds.settlements`: 报账, submitted by the secretary and approved or
  returned by the street;
- `funds.star_rules`: new rows of the star table;
- `funds.notifications`: the notices the workflow sends.

This module names them all in one place for the pages, the API, the
commands and the other apps, which call `funds.services.<service>`.
"""

from .approvals import (
    Level,
    application_approve,
    application_disburse,
    application_return,
    objection_raise,
    objection_resolve,
)
from .income import (
    INCOME_TARGETS,
    income_dues_rebate,
    income_enterprise_deposit,
    income_fiscal_subsidy,
    income_joint_funding,
    income_receive,
    income_sponsorship,
)
from .ledger import (
    GENESIS,
    account_open,
    entry_hash,
    external_account,
    ledger_post,
    organization_pool,
    pool_account,
    retry_on_conflict,
    today,
    transaction_reverse,
)
from .notifications import notifications_mark_read
from .settlements import (
    RECEIPT_EXTENSIONS,
    RECEIPT_MAX_BYTES,
    application_settle,
    settlement_approve,
    settlement_return,
)
from .star_rules import star_rule_check, star_rule_set
from .withdrawals import application_create, application_resubmit, application_withdraw

__all__ = [
    "GENESIS",
    "INCOME_TARGETS",
    "RECEIPT_EXTENSIONS",
    "RECEIPT_MAX_BYTES",
    "Level",
    "account_open",
    "application_approve",
    "application_create",
    "application_disburse",
    "application_resubmit",
    "application_return",
    "application_settle",
    "application_withdraw",
    "entry_hash",
    "external_account",
    "income_dues_rebate",
    "income_enterprise_deposit",
    "income_fiscal_subsidy",
    "income_joint_funding",
    "income_receive",
    "income_sponsorship",
    "ledger_post",
    "notifications_mark_read",
    "objection_raise",
    "objection_resolve",
    "organization_pool",
    "pool_account",
    "retry_on_conflict",
    "settlement_approve",
    "settlement_return",
    "star_rule_check",
    "star_rule_set",
    "today",
    "transaction_reverse",
]
