"""Small builders for fund tests. Ratings are created as rows: the fund reads
the rating in force, it never computes one."""

from datetime import date
from decimal import Decimal

from funds import services
from funds.models import Application, FundAccount
from orgs.models import Rating

D = Decimal


def rate(organization, stars: int, published_on: date = date(2026, 1, 10)) -> Rating:
    return Rating.objects.create(
        organization=organization,
        year=published_on.year - 1,
        computed_on=published_on,
        published_on=published_on,
        score=D(50 + 10 * stars - 5),
        computed_stars=stars,
    )


def lines(*amounts) -> list[dict]:
    return [{"item": f"支出{i}", "amount": str(a), "note": ""} for i, a in enumerate(amounts, start=1)]


def file_project(world, amount, *, organization=None, by=None, budget=None) -> Application:
    return services.application_create(
        organization=organization or world.org_a,
        by=by or world.secretary_a,
        activity="主题党日：参观红色教育基地",
        activity_date=date(2026, 6, 1),
        participants=12,
        budget_lines=budget if budget is not None else lines(amount),
        amount=amount,
    )


def through_publicity(world, application, *, on: date = date(2026, 5, 1), days: int = 5) -> Application:
    services.application_approve(application=application, by=world.street_a_staff, level="street")
    return services.application_approve(
        application=application, by=world.district, level="district", on=on, publicity_days=days
    )


def open_accounts(world, *, deposit: str = "1000.00", pool: str = "0.00"):
    account = services.account_open(organization=world.org_a, by=world.district, opened_on=date(2026, 1, 1))
    if D(deposit):
        services.income_enterprise_deposit(
            account=account, amount=deposit, by=world.district, occurred_on=date(2026, 2, 1)
        )
    if D(pool):
        services.income_fiscal_subsidy(amount=pool, by=world.district, occurred_on=date(2026, 1, 2))
    account.refresh_from_db()
    return account


def pool() -> FundAccount:
    return services.pool_account()
