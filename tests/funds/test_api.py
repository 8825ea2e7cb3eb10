from funds.models import FundAccount
from tests.helpers.funds import open_accounts


def test_fund_accounts_api_scoped_with_journal(world, login):
    account = open_accounts(world, deposit="88.00")
    client = login(world.secretary_a)
    listing = client.get("/api/v1/fund-accounts/").json()
    assert [a["id"] for a in listing["results"]] == [account.pk]
    assert listing["results"][0]["balance"] == "88.00"
    journal = client.get(f"/api/v1/fund-accounts/{account.pk}/journal/").json()
    assert (
        journal["results"][0]["amount"] == "88.00" and journal["results"][0]["transaction_kind_display"] == "企业预存"
    )


def test_fund_accounts_api_outsider_gets_404(world, login):
    account = open_accounts(world, deposit="88.00")
    client = login(world.secretary_b)
    assert client.get("/api/v1/fund-accounts/").json()["count"] == 0
    assert client.get(f"/api/v1/fund-accounts/{account.pk}/").status_code == 404
    assert client.get(f"/api/v1/fund-accounts/{account.pk}/journal/").status_code == 404


def test_district_sees_pool_and_external_accounts(world, login):
    open_accounts(world, deposit="1.00", pool="5.00")
    kinds = {a["kind"] for a in login(world.district).get("/api/v1/fund-accounts/").json()["results"]}
    assert {FundAccount.Kind.POOL, FundAccount.Kind.ORGANIZATION} <= kinds
