"""Hostile roster files: a zip bomb, a sheet reaching absurdly far, more rows
than a roster has. Each is refused before openpyxl unpacks it, with a
Chinese message, and nothing is written."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import resources
from members.models import Member
from tests.factories import make_id_number
from tests.helpers.hostile_files import roster_far_cell, roster_rows, roster_zip_bomb


def post(client, world, path):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("members:import"), {"organization": world.org_a.pk, "file": upload})


def test_roster_zip_bomb_is_refused_unread(world, login, tmp_path):
    path = roster_zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 1024 * 1024
    started = time.monotonic()
    response = post(login(world.secretary_a), world, path)
    assert "压缩炸弹" in response.content.decode()
    assert time.monotonic() - started < 5  # refused by the zip directory, not after inflating 120 MB
    assert not Member.objects.filter(organization=world.org_a).exclude(pk=world.member_a.pk).exists()


def test_roster_far_cell_is_refused(world, login, tmp_path):
    body = post(login(world.secretary_a), world, roster_far_cell(tmp_path / "far.xlsx")).content.decode()
    assert "表格范围超出上限" in body and "5,000" in body


def test_roster_row_cap(world, login, tmp_path, monkeypatch):
    body = login(world.secretary_a).get(reverse("members:import")).content.decode()
    assert "每次最多导入 5,000 名党员" in body
    monkeypatch.setattr(resources, "ROSTER_MAX_ROWS", 2)
    rows = [
        [f"党员{i}", "男", make_id_number(600 + i, gender="male"), "", "入党申请人", "2025-01-02"] for i in range(3)
    ]
    body = post(login(world.secretary_a), world, roster_rows(tmp_path / "r.xlsx", rows)).content.decode()
    assert "每次最多导入 2 名党员" in body
    assert not Member.objects.filter(name__startswith="党员").exists()


@pytest.mark.parametrize("rows", [2, 1])
def test_roster_within_the_cap_still_imports(world, login, tmp_path, monkeypatch, rows):
    monkeypatch.setattr(resources, "ROSTER_MAX_ROWS", 2)
    data = [
        [f"党员{i}", "男", make_id_number(700 + i, gender="male"), "", "入党申请人", "2025-01-02"] for i in range(rows)
    ]
    body = post(login(world.secretary_a), world, roster_rows(tmp_path / "r.xlsx", data)).content.decode()
    assert f"已导入 {rows} 名党员" in body
