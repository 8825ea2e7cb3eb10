"""The alliance's writes: the happy path, and each bad input of the issue
refused in Chinese with nothing written."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from alliances import services
from alliances.models import Alliance, AllianceMember, AllianceProblem, JointActivity, ProblemCategory
from core.errors import ApplicationError
from tests.factories import EnterpriseFactory

from .conftest import FOUNDED


def _message(exc: ApplicationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _second_alliance(world, *, chain="装备制造", name="甲街道第二联盟"):
    return services.alliance_create(
        by=world.street_a_staff,
        name=name,
        chain=chain,
        region=world.street_a,
        lead_kind=Alliance.LeadKind.ASSOCIATION,
        lead_association="甲街道机械行业协会",
        lead_organization=world.org_a,
        first_secretary="刘志强",
        secretary_general="周凯",
        founded_on=FOUNDED,
    )


def test_happy_path_raise_and_resolve(world, chain):
    problem = services.problem_raise(
        by=world.secretary_a,
        alliance=chain.alliance,
        enterprise=chain.n_enterprise,
        title="技术工人招聘难",
        category=ProblemCategory.LABOUR,
        raised_on=date(2026, 3, 1),
    )
    services.problem_resolve(
        by=world.secretary_a, problem=problem, resolved_on=date(2026, 3, 5), resolution="对接人社局招聘会"
    )
    problem.refresh_from_db()
    assert problem.resolved_on == date(2026, 3, 5) and problem.resolution == "对接人社局招聘会"


def test_enterprise_of_an_x_member_may_raise(world, chain):
    services.problem_raise(
        by=world.street_a_staff,
        alliance=chain.alliance,
        enterprise=chain.x_enterprise,
        title="订单下滑",
        category=ProblemCategory.ORDERS,
        raised_on=date(2026, 3, 1),
    )
    assert AllianceProblem.objects.count() == 1


def test_enterprise_in_two_alliances_of_one_chain_at_once_is_refused(world, chain):
    other = _second_alliance(world)
    before = AllianceMember.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.member_add(
            by=world.street_a_staff, alliance=other, enterprise=chain.n_enterprise, joined_on=date(2026, 5, 1)
        )
    assert "同一产业链" in _message(exc.value) and "enterprise" in exc.value.message_dict
    with pytest.raises(ApplicationError) as exc:
        services.member_add(
            by=world.street_a_staff, alliance=other, organization=chain.x_org, joined_on=date(2026, 5, 1)
        )
    assert "同一产业链" in _message(exc.value)
    assert AllianceMember.objects.count() == before


def test_same_enterprise_after_leaving_or_in_another_chain_is_allowed(world, chain):
    member = AllianceMember.objects.get(enterprise=chain.n_enterprise)
    services.member_leave(by=world.street_a_staff, member=member, left_on=date(2026, 4, 1))
    other = _second_alliance(world)
    services.member_add(
        by=world.street_a_staff, alliance=other, enterprise=chain.n_enterprise, joined_on=date(2026, 4, 1)
    )
    software = _second_alliance(world, chain="软件和信息服务", name="甲街道软件联盟")
    services.member_add(by=world.street_a_staff, alliance=software, enterprise=chain.spare, joined_on=date(2026, 4, 1))
    assert AllianceMember.objects.filter(enterprise=chain.n_enterprise).count() == 2


def test_joining_earlier_than_an_open_membership_elsewhere_overlaps(world, chain):
    other = _second_alliance(world)
    with pytest.raises(ApplicationError):
        services.member_add(
            by=world.street_a_staff,
            alliance=other,
            enterprise=chain.n_enterprise,
            joined_on=date(2026, 1, 20),
            left_on=date(2026, 3, 1),
        )
    assert not AllianceMember.objects.filter(alliance=other).exists()


def test_problem_resolved_before_raised_is_refused(world, chain):
    problem = services.problem_raise(
        by=world.secretary_a,
        alliance=chain.alliance,
        enterprise=chain.n_enterprise,
        title="融资难",
        category=ProblemCategory.FINANCING,
        raised_on=date(2026, 3, 10),
    )
    with pytest.raises(ApplicationError) as exc:
        services.problem_resolve(
            by=world.secretary_a, problem=problem, resolved_on=date(2026, 3, 9), resolution="已贷款"
        )
    assert "不能早于提出日期" in _message(exc.value) and "resolved_on" in exc.value.message_dict
    problem.refresh_from_db()
    assert problem.resolved_on is None and problem.resolution == ""


def test_problem_from_a_non_member_on_that_date_is_refused(world, chain):
    cases = [
        (chain.spare, date(2026, 3, 1)),  # never a member
        (chain.n_enterprise, date(2026, 1, 20)),  # before it joined
        (EnterpriseFactory(street=world.street_a), date(2026, 3, 1)),
    ]
    for enterprise, raised_on in cases:
        with pytest.raises(ApplicationError) as exc:
            services.problem_raise(
                by=world.secretary_a,
                alliance=chain.alliance,
                enterprise=enterprise,
                title="用工",
                category=ProblemCategory.LABOUR,
                raised_on=raised_on,
            )
        assert "不是本联盟成员" in _message(exc.value)
    assert not AllianceProblem.objects.exists()


def test_joined_before_founded_is_refused(world, chain):
    with pytest.raises(ApplicationError) as exc:
        services.member_add(
            by=world.street_a_staff, alliance=chain.alliance, enterprise=chain.spare, joined_on=date(2026, 1, 9)
        )
    assert "不能早于联盟成立日期" in _message(exc.value) and "joined_on" in exc.value.message_dict
    assert not AllianceMember.objects.filter(enterprise=chain.spare).exists()


def test_left_before_joined_is_refused(world, chain):
    with pytest.raises(ApplicationError) as exc:
        services.member_add(
            by=world.street_a_staff,
            alliance=chain.alliance,
            enterprise=chain.spare,
            joined_on=date(2026, 3, 1),
            left_on=date(2026, 2, 1),
        )
    assert "退出日期：不能早于加入日期" in _message(exc.value)
    member = AllianceMember.objects.get(enterprise=chain.n_enterprise)
    with pytest.raises(ApplicationError):
        services.member_leave(by=world.street_a_staff, member=member, left_on=date(2026, 1, 31))
    member.refresh_from_db()
    assert member.left_on is None
    assert not AllianceMember.objects.filter(enterprise=chain.spare).exists()


def test_enterprise_with_an_organization_joins_as_x_not_n(world, chain):
    with pytest.raises(ApplicationError) as exc:
        services.member_add(
            by=world.street_a_staff, alliance=chain.alliance, enterprise=chain.x_enterprise, joined_on=date(2026, 3, 1)
        )
    assert "已有党组织" in _message(exc.value)


def test_unknown_category_is_refused(world, chain):
    with pytest.raises(ApplicationError) as exc:
        services.problem_raise(
            by=world.secretary_a,
            alliance=chain.alliance,
            enterprise=chain.n_enterprise,
            title="x",
            category="weather",
            raised_on=date(2026, 3, 1),
        )
    assert "category" in exc.value.message_dict
    assert not AllianceProblem.objects.exists()


def test_who_may_write(world, chain):
    # Another street's staff and another organization's secretary may not; a leader never writes.
    for outsider in (chain.street_b_staff, world.secretary_b, world.leader):
        with pytest.raises(PermissionDenied):
            services.problem_raise(
                by=outsider,
                alliance=chain.alliance,
                enterprise=chain.n_enterprise,
                title="x",
                category=ProblemCategory.OTHER,
                raised_on=date(2026, 3, 1),
            )
    # The lead's secretary keeps records but does not manage members.
    with pytest.raises(PermissionDenied):
        services.member_add(
            by=world.secretary_a, alliance=chain.alliance, enterprise=chain.spare, joined_on=date(2026, 3, 1)
        )
    # Street staff create alliances in their street only.
    with pytest.raises(PermissionDenied):
        services.alliance_create(
            by=world.street_a_staff,
            name="乙联盟",
            chain="装备制造",
            region=world.street_b,
            lead_kind=Alliance.LeadKind.ASSOCIATION,
            lead_association="协会",
            lead_organization=world.org_b,
            first_secretary="甲",
            secretary_general="乙",
            founded_on=FOUNDED,
        )
    assert not AllianceProblem.objects.exists()
    assert Alliance.objects.count() == 1


def test_joint_activity_only_of_member_organizations(world, chain):
    activity = services.joint_activity_record(
        by=world.secretary_a,
        alliance=chain.alliance,
        held_on=date(2026, 3, 15),
        title="联合主题党日",
        activity_type="theme_day",
        organizations=[world.org_a, chain.x_org],
    )
    assert set(activity.organizations.all()) == {world.org_a, chain.x_org}
    with pytest.raises(ApplicationError) as exc:
        services.joint_activity_record(
            by=world.secretary_a,
            alliance=chain.alliance,
            held_on=date(2026, 3, 15),
            title="联合党课",
            activity_type="party_lecture",
            organizations=[world.org_b],
        )
    assert "不是本联盟成员" in _message(exc.value)
    assert JointActivity.objects.count() == 1
