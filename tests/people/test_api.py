"""/api/v1/party-workers/ and /api/v1/trainings/ per CONTRACT.md: scoped
lists, detail with attendees, writes through the services, outsider 404."""

from people.models import PartyWorker, Training, TrainingAttendance


def test_party_workers_list_is_scoped_and_phones_masked(api, world, staff):
    rows = api(world.street_a_staff).get("/api/v1/party-workers/").json()
    assert {r["name"] for r in rows["results"]} == {"王甲书记", "钱甲退休干部"}
    secretary = next(r for r in rows["results"] if r["name"] == "王甲书记")
    assert secretary["phone_masked"] == "138****5678" and "phone" not in secretary
    assert secretary["post_display"] == "党组织书记" and secretary["organization_name"] == world.org_a.name
    own = api(world.secretary_a).get("/api/v1/party-workers/").json()
    assert [r["name"] for r in own["results"]] == ["王甲书记"]
    pool = api(world.district).get("/api/v1/party-workers/?in_pool=true").json()
    assert pool["count"] == 2


def test_outsider_gets_404(api, world, staff):
    client = api(world.secretary_a)
    assert client.get(f"/api/v1/party-workers/{staff.secretary_b.pk}/").status_code == 404
    assert client.get(f"/api/v1/trainings/{staff.course.pk}/").status_code == 200
    outsider = api(world.secretary_b)
    assert outsider.get(f"/api/v1/trainings/{staff.course.pk}/").status_code == 404
    before = TrainingAttendance.objects.count()
    response = outsider.post(
        f"/api/v1/trainings/{staff.course.pk}/attendees/", {"workers": [staff.secretary_b.pk]}, format="json"
    )
    assert response.status_code in (403, 404)
    assert TrainingAttendance.objects.count() == before


def test_create_worker(api, world, staff):
    client = api(world.street_a_staff)
    body = {
        "name": "吴甲招聘",
        "source": "hired",
        "employment": "full_time",
        "post": "full_time_worker",
        "organization": world.org_a.pk,
        "phone": "13900001111",
        "in_pool": False,
    }
    response = client.post("/api/v1/party-workers/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["region"] == world.street_a.pk and response.json()["phone_masked"] == "139****1111"
    # An organization outside reach is refused naming the field, nothing written.
    before = PartyWorker.objects.count()
    response = client.post("/api/v1/party-workers/", {**body, "organization": world.org_b.pk}, format="json")
    assert response.status_code == 400 and "organization" in response.json()
    response = client.post("/api/v1/party-workers/", {**body, "phone": "123"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()
    assert PartyWorker.objects.count() == before
    assert api(world.leader).post("/api/v1/party-workers/", body, format="json").status_code == 403


def test_trainings_create_detail_attendees(api, world, staff):
    client = api(world.street_a_staff)
    body = {
        "title": "街道党务干部培训",
        "level": "street",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-01",
        "hours": "4.5",
        "organizer": "甲街道非公党委",
        "region": world.street_a.pk,
        "attendees": [staff.secretary_a.pk],
    }
    response = client.post("/api/v1/trainings/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["hours"] == "4.5" and [a["worker_name"] for a in created["attendees"]] == ["王甲书记"]
    url = f"/api/v1/trainings/{created['id']}/"
    # Adding an attendee outside the caller's scope: refused in Chinese, nothing written.
    before = TrainingAttendance.objects.count()
    response = client.post(url + "attendees/", {"workers": [staff.pool_a.pk, staff.pool_b.pk]}, format="json")
    assert response.status_code == 400
    assert "不在您的管辖范围内" in str(response.json())
    assert TrainingAttendance.objects.count() == before
    response = client.post(url + "attendees/", {"workers": [staff.pool_a.pk]}, format="json")
    assert response.status_code == 201, response.content
    detail = client.get(url).json()
    assert {a["worker_name"] for a in detail["attendees"]} == {"王甲书记", "钱甲退休干部"}
    # In create too: one outsider refuses the course.
    count = Training.objects.count()
    response = client.post("/api/v1/trainings/", {**body, "attendees": [staff.pool_b.pk]}, format="json")
    assert response.status_code == 400 and Training.objects.count() == count
    listed = client.get("/api/v1/trainings/?level=street").json()
    assert listed["count"] == 1


def test_secretary_sees_own_people_on_a_course(api, world, staff):
    services_course = staff.course
    from people import services

    services.training_add_attendees(by=world.district, training=services_course, workers=[staff.secretary_b])
    detail = api(world.secretary_b).get(f"/api/v1/trainings/{services_course.pk}/").json()
    assert [a["worker_name"] for a in detail["attendees"]] == ["赵乙书记"]
