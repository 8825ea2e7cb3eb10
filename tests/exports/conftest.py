import io

import openpyxl
import pytest

from orgs.models import Role
from tests.factories import UserFactory, grant


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def street_b_staff(world):
    """The same role as world.street_a_staff, in the other street."""
    return grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)


def sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]
