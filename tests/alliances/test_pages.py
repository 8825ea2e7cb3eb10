"""The alliance pages: scoped list and page, the forms, figures on the
dashboard and bulletin, joint activities on the organization's page."""

from datetime import date

from alliances import services
from alliances.models import AllianceMember, AllianceProblem
from alliances.selectors import alliance_figures


def test_list_and_page_for_staff_and_the_lead_secretary(login, world, chain):
    for user in (world.district, world.street_a_staff, world.secretary_a, world.leader):
        client = login(user)
        page = client.get("/alliances/")
        assert page.status_code == 200 and chain.alliance.name in page.content.decode()
        page = client.get(f"/alliances/{chain.alliance.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert chain.n_enterprise.name in html and chain.x_org.name in html


def test_outsiders_get_404(login, world, chain):
    for outsider in (world.secretary_b, chain.street_b_staff):
        client = login(outsider)
        assert chain.alliance.name not in client.get("/alliances/").content.decode()
        assert client.get(f"/alliances/{chain.alliance.pk}/").status_code == 404
        response = client.post(
            f"/alliances/{chain.alliance.pk}/problems/",
            {"enterprise": chain.n_enterprise.pk, "title": "x", "category": "other", "raised_on": "2026-03-01"},
        )
        assert response.status_code == 404
    assert not AllianceProblem.objects.exists()


def test_forms_raise_refuse_and_resolve(login, world, chain):
    client = login(world.secretary_a)
    url = f"/alliances/{chain.alliance.pk}/problems/"
    response = client.post(
        url, {"enterprise": chain.n_enterprise.pk, "title": "用工", "category": "labour", "raised_on": "2026-01-20"}
    )
    assert response.status_code == 400 and "不是本联盟成员" in response.content.decode()
    assert not AllianceProblem.objects.exists()
    response = client.post(
        url, {"enterprise": chain.n_enterprise.pk, "title": "用工", "category": "labour", "raised_on": "2026-03-01"}
    )
    assert response.status_code == 302
    problem = AllianceProblem.objects.get()
    response = client.post(
        f"/alliances/problems/{problem.pk}/resolve/", {"resolved_on": "2026-02-01", "resolution": "x"}, follow=True
    )
    assert "不能早于提出日期" in response.content.decode()
    client.post(f"/alliances/problems/{problem.pk}/resolve/", {"resolved_on": "2026-03-03", "resolution": "招聘会"})
    problem.refresh_from_db()
    assert problem.resolved_on == date(2026, 3, 3)


def test_member_form_for_staff(login, world, chain):
    client = login(world.street_a_staff)
    response = client.post(
        f"/alliances/{chain.alliance.pk}/members/", {"enterprise": chain.spare.pk, "joined_on": "2026-01-01"}
    )
    assert response.status_code == 400 and "不能早于联盟成立日期" in response.content.decode()
    response = client.post(
        f"/alliances/{chain.alliance.pk}/members/", {"enterprise": chain.spare.pk, "joined_on": "2026-03-01"}
    )
    assert response.status_code == 302
    assert AllianceMember.objects.filter(enterprise=chain.spare).exists()


def test_organization_page_shows_the_joint_activity(login, world, chain):
    services.joint_activity_record(
        by=world.secretary_a,
        alliance=chain.alliance,
        held_on=date(2026, 3, 15),
        title="链上联合主题党日",
        activity_type="theme_day",
        organizations=[world.org_a, chain.x_org],
    )
    html = login(world.street_a_staff).get(f"/orgs/organizations/{chain.x_org.pk}/").content.decode()
    assert "链上联合主题党日" in html
    html = login(world.secretary_a).get(f"/orgs/organizations/{world.org_a.pk}/").content.decode()
    assert "链上联合主题党日" in html


def test_figures_recomputed_from_their_source(world, chain):
    services.member_add(
        by=world.street_a_staff, alliance=chain.alliance, enterprise=chain.spare, joined_on=date(2026, 2, 1)
    )
    AllianceMember.objects.filter(enterprise=chain.spare).update(left_on=date(2026, 4, 1))
    raised = [date(2026, 2, 10), date(2026, 3, 1), date(2026, 5, 1)]
    for i, day in enumerate(raised):
        p = services.problem_raise(
            by=world.secretary_a,
            alliance=chain.alliance,
            enterprise=chain.n_enterprise,
            title=f"问题{i}",
            category="other",
            raised_on=day,
        )
        if i < 2:
            services.problem_resolve(
                by=world.secretary_a, problem=p, resolved_on=day.replace(day=day.day + 2), resolution="ok"
            )
    end = date(2026, 6, 30)
    figures = alliance_figures(user=world.district, region=None, start=date(2026, 1, 1), end=end)
    members = AllianceMember.objects.all()
    on_day = [m for m in members if m.joined_on <= end and (m.left_on is None or m.left_on > end)]
    problems = list(AllianceProblem.objects.all())
    assert figures.alliances == 1
    assert figures.x_members == sum(1 for m in on_day if m.organization_id)
    assert figures.n_members == sum(1 for m in on_day if m.enterprise_id) == 1
    assert figures.raised == len(problems) == 3
    assert figures.resolved == sum(1 for p in problems if p.resolved_on) == 2
    assert figures.percent == "66.7%"
    # A street's figures do not count another street's alliances.
    assert alliance_figures(user=world.district, region=world.street_b, start=date(2026, 1, 1), end=end).alliances == 0


def test_dashboard_and_bulletin_show_the_figures(login, world, chain):
    for path in ("/orgs/dashboard/", "/orgs/dashboard/bulletin/"):
        response = login(world.district).get(path)
        assert response.status_code == 200
        assert 'data-testid="alliance-figures"' in response.content.decode(), path
