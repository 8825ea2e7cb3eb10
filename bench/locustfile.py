"""Load profile for bench/run_load.sh (Locust, headless).

Secretaries list their members and activities (pages' API and the API with
filters); district and street staff open the home dashboard, list and filter
enterprises and organizations, and open detail pages (drill-downs); a
baseline user fetches the login page and a static file, so the report shows
how far the application pages are from the cheapest answers the same server
gives in the same run.
"""

import random
import re

from locust import HttpUser, between, task

PASSWORD = "Dangjian@2026"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# A person reads a page for a few seconds before the next click. (A first
# run with 0.5-2 s offered about 40 requests/s to two workers on a shared
# two-core machine and mostly measured the queue; see BENCHMARKS.md.)
THINK = between(2.0, 6.0)


class LoggedInUser(HttpUser):
    abstract = True
    wait_time = THINK
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        username = random.choice(self.usernames)
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF_RE.search(page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login (POST)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login failed for {username}: {response.status_code}")
        self.after_login()

    def after_login(self) -> None:
        pass


class Secretary(LoggedInUser):
    weight = 3
    usernames = ("secretary", "secretary2")

    def after_login(self) -> None:
        orgs = self.client.get("/api/v1/organizations/", name="api organizations").json()["results"]
        self.org_ids = [o["id"] for o in orgs] or [0]
        members = self.client.get("/api/v1/members/", name="api members").json()["results"]
        self.member_ids = [m["id"] for m in members] or [0]

    @task(4)
    def list_members(self) -> None:
        self.client.get("/api/v1/members/", params={"status": "active"}, name="api members")

    @task(2)
    def member_detail(self) -> None:
        self.client.get(f"/api/v1/members/{random.choice(self.member_ids)}/", name="api member detail")

    @task(4)
    def list_activities(self) -> None:
        self.client.get(
            "/api/v1/activities/",
            params={"organization": random.choice(self.org_ids), "date_from": "2026-01-01"},
            name="api activities",
        )

    @task(2)
    def organization_page(self) -> None:
        self.client.get(f"/orgs/organizations/{random.choice(self.org_ids)}/", name="page organization detail")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="page home")


class Staff(LoggedInUser):
    weight = 2
    usernames = ("district", "street")

    def after_login(self) -> None:
        streets = self.client.get("/api/v1/enterprises/", name="api enterprises").json()
        self.enterprise_ids = [e["id"] for e in streets["results"]]
        self.street_ids = sorted({e["street"] for e in streets["results"]})
        orgs = self.client.get("/api/v1/organizations/", name="api organizations").json()
        self.org_ids = [o["id"] for o in orgs["results"]]

    @task(3)
    def home_dashboard(self) -> None:
        self.client.get("/", name="page home")

    @task(3)
    def enterprise_list(self) -> None:
        params = {"street": random.choice(self.street_ids), "status": "operating"}
        if random.random() < 0.5:
            params["page"] = random.randint(1, 20)
        self.client.get("/orgs/enterprises/", params=params, name="page enterprises (filtered)")

    @task(3)
    def enterprise_detail(self) -> None:
        self.client.get(f"/orgs/enterprises/{random.choice(self.enterprise_ids)}/", name="page enterprise detail")

    @task(2)
    def organization_list(self) -> None:
        self.client.get("/orgs/organizations/", params={"page": random.randint(1, 10)}, name="page organizations")

    @task(2)
    def organization_detail(self) -> None:
        self.client.get(f"/orgs/organizations/{random.choice(self.org_ids)}/", name="page organization detail")

    @task(2)
    def api_enterprises(self) -> None:
        self.client.get(
            "/api/v1/enterprises/",
            params={"street": random.choice(self.street_ids), "above_scale": "true"},
            name="api enterprises",
        )

    @task(1)
    def api_alerts(self) -> None:
        self.client.get("/api/v1/alerts/", params={"open": "true"}, name="api alerts")


class Baseline(HttpUser):
    weight = 1
    wait_time = THINK

    @task
    def login_page(self) -> None:
        self.client.get("/accounts/login/", name="baseline: login page")

    @task
    def static_file(self) -> None:
        self.client.get("/static/css/app.css", name="baseline: static file")
