"""The people pages: who sees what, the forms call the services, refusals
show on the page in Chinese, exports are .xlsx."""

from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from people.models import CrossAppointment, PartyWorker, TrainingAttendance

RAW = ("None", "[]", "{'", "True", "False")


def _clean(response) -> str:
    text = response.content.decode()
    body = text.split("<main", 1)[-1]
    for raw in RAW:
        assert f">{raw}<" not in body and f" {raw} " not in body, raw
    return text


def test_pages_render_for_staff_and_secretary(login, world, staff):
    for user in (world.district, world.street_a_staff, world.leader, world.secretary_a):
        client = login(user)
        for name in (
            "people:summary",
            "people:worker_list",
            "people:pool",
            "people:training_list",
            "people:cross_list",
        ):
            response = client.get(reverse(name))
            assert response.status_code == 200, (user, name)
            _clean(response)
    client = login(world.street_a_staff)
    for name, pk in (
        ("people:worker_detail", staff.secretary_a.pk),
        ("people:worker_edit", staff.secretary_a.pk),
        ("people:training_detail", staff.course.pk),
        ("people:cross", world.org_a.pk),
    ):
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 200, name
        _clean(response)
    assert "138****5678" in client.get(reverse("people:worker_list")).content.decode()
    assert (
        "13812345678" not in client.get(reverse("people:worker_detail", args=[staff.secretary_a.pk])).content.decode()
    )


def test_instructor_has_no_people_pages(login, world):
    assert login(world.instructor).get(reverse("people:worker_list")).status_code == 404


def test_outsider_gets_404(login, world, staff):
    client = login(world.secretary_a)
    for name, pk in (
        ("people:worker_detail", staff.secretary_b.pk),
        ("people:worker_edit", staff.secretary_b.pk),
        ("people:training_export", staff.course.pk + 1000),
        ("people:cross", world.org_b.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("people:worker_recommend", args=[staff.pool_b.pk])).status_code == 404


def test_register_a_worker_on_the_page(login, world, staff):
    client = login(world.secretary_a)
    response = client.post(
        reverse("people:worker_create"),
        {
            "name": "郑甲专职",
            "source": "hired",
            "employment": "full_time",
            "post": "secretary",
            "organization": world.org_a.pk,
            "phone": "13700001234",
        },
    )
    assert response.status_code == 200  # 甲 has a secretary already
    assert "已登记书记" in response.content.decode()
    assert not PartyWorker.objects.filter(name="郑甲专职").exists()
    response = client.post(
        reverse("people:worker_create"),
        {
            "name": "郑甲专职",
            "source": "hired",
            "employment": "full_time",
            "post": "full_time_worker",
            "organization": world.org_a.pk,
            "phone": "13700001234",
        },
    )
    assert response.status_code == 302
    assert PartyWorker.objects.get(name="郑甲专职").region_id == world.street_a.pk


def test_attendee_outside_scope_refused_on_the_page(login, world, staff):
    client = login(world.street_a_staff)
    before = TrainingAttendance.objects.count()
    # 乙's worker is not offered and not reachable: the form refuses it.
    response = client.post(reverse("people:training_attendees", args=[staff.course.pk]), {"workers": [staff.pool_b.pk]})
    assert response.status_code == 400
    assert TrainingAttendance.objects.count() == before
    response = client.post(reverse("people:training_attendees", args=[staff.course.pk]), {"workers": [staff.pool_a.pk]})
    assert response.status_code == 302
    assert TrainingAttendance.objects.count() == before + 1


def test_recommend_and_decide_on_the_pages(login, world, staff):
    client = login(world.street_a_staff)
    response = client.post(
        reverse("people:worker_recommend", args=[staff.pool_a.pk]),
        {"organization": world.org_a.pk, "recommended_on": "2026-01-05"},
    )
    assert response.status_code == 302
    rec = staff.pool_a.recommendations.get()
    response = client.post(
        reverse("people:recommendation_decide", args=[rec.pk]), {"outcome": "accepted", "outcome_on": "2026-01-20"}
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.outcome == "accepted"
    assert "已接受" in client.get(reverse("people:pool")).content.decode()


def test_cross_appointment_on_the_page(login, world, staff):
    client = login(world.secretary_a)
    url = reverse("people:cross_add", args=[world.org_a.pk])
    response = client.post(
        url, {"person": "王甲书记", "enterprise": world.enterprise_a.pk, "body": "board", "title": ""}
    )
    assert response.status_code == 400 and not CrossAppointment.objects.exists()
    response = client.post(
        url, {"person": "王甲书记", "enterprise": world.enterprise_a.pk, "body": "board", "title": "董事"}
    )
    assert response.status_code == 302
    appointment = CrossAppointment.objects.get()
    response = client.post(
        reverse("people:managers_set", args=[world.org_a.pk]),
        {"managers": 3, "party_members": 4, "as_of": "2026-01-01"},
    )
    assert response.status_code == 400 and "不能多于管理人员数" in response.content.decode()
    assert login(world.secretary_b).post(reverse("people:appointment_remove", args=[appointment.pk])).status_code == 404
    client = login(world.secretary_a)  # the fixture's one client, signed in again
    assert client.post(reverse("people:appointment_remove", args=[appointment.pk])).status_code == 302
    assert not CrossAppointment.objects.exists()


def test_exports(login, world, staff):
    client = login(world.street_a_staff)
    response = client.get(reverse("people:worker_export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and {r[0] for r in rows[1:]} == {"王甲书记", "钱甲退休干部"}
    assert "138****5678" in [r[6] for r in rows[1:]]
    response = client.get(reverse("people:training_export", args=[staff.course.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["王甲书记"]


def test_export_neutralises_formulas(login, world, staff):
    from people import services

    services.worker_register(
        by=world.street_a_staff, name="=HYPERLINK(1)", source="hired", employment="part_time", region=world.street_a
    )
    response = login(world.street_a_staff).get(reverse("people:worker_export"))
    names = [r[0] for r in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in names
