"""Both scopes come from one read of the role grants: whichever is asked for
first, each equals the scope worked out on its own."""

import pytest

from orgs.models import User
from orgs.scoping import scope_for

from .test_city_scope import city  # noqa: F401  (a fixture)

WORLD_USERS = ["district", "street_a_staff", "secretary_a", "instructor", "leader"]
CITY_USERS = ["city_staff", "district_a", "street_a1", "secretary_a", "leader_a"]


def _alone(user, *, write: bool):
    return scope_for(User.objects.get(pk=user.pk), write=write)


def _check(user, django_assert_max_num_queries, most: int):
    for first in (False, True):
        fresh = User.objects.get(pk=user.pk)
        scope_for(fresh, write=first)
        with django_assert_max_num_queries(most):
            second = scope_for(fresh, write=not first)
        assert second == _alone(user, write=not first)
        assert scope_for(fresh, write=first) == _alone(user, write=first)


@pytest.mark.parametrize("who", WORLD_USERS)
def test_read_and_write_scopes_from_one_read_of_the_grants(world, who, django_assert_max_num_queries):
    # One district at the root of the tree: the second scope costs nothing.
    _check(getattr(world, who), django_assert_max_num_queries, 0)


@pytest.mark.parametrize("who", CITY_USERS)
def test_city_scopes_from_one_read_of_the_grants(city, who, django_assert_max_num_queries):  # noqa: F811
    # A grant at a district under a city needs the streets below it, a query
    # per scope: the second is worked out on its own (grants, streets).
    _check(city[who], django_assert_max_num_queries, 0 if who in ("city_staff", "street_a1", "secretary_a") else 2)
