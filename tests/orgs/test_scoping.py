"""The one scoping rule, seen through the selectors every page uses."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from members.selectors import member_get, member_list
from orgs.selectors import enterprise_get, enterprise_list, organization_get, organization_list, scope_for


def test_district_staff_reach_everything(world):
    assert set(enterprise_list(user=world.district)) == {world.enterprise_a, world.enterprise_b}
    assert set(organization_list(user=world.district)) == {world.org_a, world.org_b}
    assert set(member_list(user=world.district)) == {world.member_a, world.member_b}


def test_secretary_reaches_own_organization_and_its_enterprises_only(world):
    assert list(enterprise_list(user=world.secretary_a)) == [world.enterprise_a]
    assert list(organization_list(user=world.secretary_a)) == [world.org_a]
    assert list(member_list(user=world.secretary_a)) == [world.member_a]


def test_outsider_gets_404_for_another_organizations_records(world):
    with pytest.raises(Http404):
        enterprise_get(user=world.secretary_b, pk=world.enterprise_a.pk)
    with pytest.raises(Http404):
        organization_get(user=world.secretary_b, pk=world.org_a.pk)
    with pytest.raises(Http404):
        member_get(user=world.secretary_b, pk=world.member_a.pk)


def test_street_staff_reach_their_street_only(world):
    assert list(enterprise_list(user=world.street_a_staff)) == [world.enterprise_a]
    with pytest.raises(Http404):
        organization_get(user=world.street_a_staff, pk=world.org_b.pk)


def test_leader_reads_everything_but_writes_nothing(world):
    assert organization_get(user=world.leader, pk=world.org_a.pk) == world.org_a
    with pytest.raises(PermissionDenied):
        organization_get(user=world.leader, pk=world.org_a.pk, write=True)


def test_secretary_may_write_own_organization(world):
    assert organization_get(user=world.secretary_a, pk=world.org_a.pk, write=True) == world.org_a


def test_instructor_reaches_assigned_enterprises(world):
    from datetime import date

    from orgs.models import InstructorAssignment

    assert list(enterprise_list(user=world.instructor)) == []
    InstructorAssignment.objects.create(
        instructor=world.instructor, enterprise=world.enterprise_b, start_on=date(2026, 1, 1)
    )
    world.instructor.__dict__.pop("_scope_cache", None)
    assert list(enterprise_list(user=world.instructor)) == [world.enterprise_b]
    assert list(organization_list(user=world.instructor)) == []


def test_user_without_role_reaches_nothing(db):
    from tests.factories import EnterpriseFactory, UserFactory

    EnterpriseFactory()
    nobody = UserFactory()
    assert scope_for(nobody).is_empty
    assert enterprise_list(user=nobody).count() == 0


def test_several_roles_add_up(world):
    from orgs.models import Role
    from tests.factories import grant

    grant(world.secretary_a, Role.SECRETARY, organization=world.org_b)
    assert set(organization_list(user=world.secretary_a)) == {world.org_a, world.org_b}


def test_scope_query_count_does_not_grow_with_data(world, django_assert_num_queries):
    from tests.factories import EnterpriseFactory

    for _ in range(30):
        EnterpriseFactory(street=world.street_a)
    user = world.street_a_staff
    user.__dict__.pop("_scope_cache", None)
    with django_assert_num_queries(2):  # the role grants, then the list
        list(enterprise_list(user=user))
