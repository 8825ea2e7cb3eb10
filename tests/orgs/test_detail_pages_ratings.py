"""The organization page shows its stars with the evidence and what is missing
for the next star, and its fund; the enterprise page says why it counts the way
it does in the coverage figures."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from funds.models import FundAccount, TransactionKind
from funds.services import account_open, external_account, ledger_post
from orgs.models import BusinessStatus, InstructorAssignment
from orgs.reference import ensure_reference_data

from ..factories import EnterpriseFactory, RatingFactory


def org_page(world, login, user):
    return login(user).get(reverse("orgs:organization_detail", args=[world.org_a.pk]))


def test_organization_page_shows_stars_evidence_and_gap(world, login):
    ensure_reference_data()
    RatingFactory(
        organization=world.org_a,
        score="78.50",
        computed_stars=3,
        evidence={
            "three_meetings": {"score": 21, "evidence": ["支部委员会会议缺 2026-03、2026-07"]},
            "organization": {"score": 15},
        },
        next_star_gap=["三会一课：补开2次支委会可得4分", {"criterion": "theme_day", "missing": "主题党日缺3个月"}],
    )
    html = org_page(world, login, world.secretary_a).content.decode()
    assert "★★★" in html and "78.50 分" in html
    assert "三会一课" in html and "支部委员会会议缺 2026-03、2026-07" in html
    assert html.index("组织健全") < html.index("三会一课")  # the scheme's order, whatever the JSON's
    assert "距 4 星还差" in html
    assert "补开2次支委会可得4分" in html and "主题党日缺3个月" in html


def test_organization_page_shows_override_and_unrated_state(world, login):
    RatingFactory(organization=world.org_a, computed_stars=2, override_stars=4, override_reason="材料补交后复核")
    html = org_page(world, login, world.district).content.decode()
    assert "调整为 4 星" in html and "材料补交后复核" in html
    html = login(world.district).get(reverse("orgs:organization_detail", args=[world.org_b.pk])).content.decode()
    assert "尚无星级评定结果" in html


def test_organization_page_shows_term_and_fund(world, login):
    world.org_a.term_start = timezone.localdate() - timedelta(days=1000)
    world.org_a.term_end = timezone.localdate() + timedelta(days=20)
    world.org_a.save()
    account = account_open(organization=world.org_a, by=None)
    ledger_post(
        kind=TransactionKind.ENTERPRISE_DEPOSIT,
        occurred_on=date(2026, 3, 1),
        memo="甲企业预存",
        legs=[(external_account(FundAccount.Kind.EXTERNAL_SOURCE), "-5000"), (account, "5000")],
        by=None,
    )
    html = org_page(world, login, world.secretary_a).content.decode()
    assert "60天内届满" in html
    assert "5,000.00" in html and "甲企业预存" in html and "企业预存" in html


def test_organization_page_outsider_gets_404(world, login):
    assert org_page(world, login, world.secretary_b).status_code == 404


def enterprise_page(login, user, enterprise):
    return login(user).get(reverse("orgs:enterprise_detail", args=[enterprise.pk]))


def test_enterprise_covered_by_an_organization(world, login):
    html = enterprise_page(login, world.district, world.enterprise_a).content.decode()
    assert "组织覆盖" in html and world.org_a.name in html


def test_enterprise_should_form(world, login):
    e = EnterpriseFactory(street=world.street_a, members_total=5, members_formal=5, members_probationary=0)
    html = enterprise_page(login, world.street_a_staff, e).content.decode()
    assert "应建未建" in html and "正式党员5名" in html


def test_enterprise_with_instructor_has_work_coverage(world, login):
    e = EnterpriseFactory(street=world.street_a, members_total=1, members_formal=1, members_probationary=0)
    InstructorAssignment.objects.create(enterprise=e, start_on=timezone.localdate() - timedelta(days=10))
    html = enterprise_page(login, world.district, e).content.decode()
    assert "工作覆盖" in html and "已选派党建指导员" in html


def test_closed_enterprise_is_not_counted(world, login):
    e = EnterpriseFactory(street=world.street_a, status=BusinessStatus.DEREGISTERED)
    html = enterprise_page(login, world.district, e).content.decode()
    assert "不计入覆盖率的企业基数" in html and "应建未建" not in html


def test_enterprise_page_names_only_organizations_in_scope(world, login):
    world.org_b.enterprises.add(world.enterprise_a)
    html = enterprise_page(login, world.secretary_a, world.enterprise_a).content.decode()
    assert world.org_a.name in html and world.org_b.name not in html
    assert "1个其他党组织" in html


def test_enterprise_page_outsider_gets_404(world, login):
    assert enterprise_page(login, world.secretary_b, world.enterprise_a).status_code == 404
