from datetime import date

import pytest

from pairings.models import Pairing, PairingKind, SideKind


@pytest.fixture
def pairing(world):
    """A cadre of street A (its staff member) contacts enterprise A, twice a quarter."""
    return Pairing.objects.create(
        kind=PairingKind.CADRE_POINT,
        side_kind=SideKind.CADRE,
        side_user=world.street_a_staff,
        enterprise=world.enterprise_a,
        street=world.street_a,
        starts_on=date(2025, 1, 1),
        quota_per_quarter=2,
    )
