"""The transfer form finds the receiving organization by typing: an htmx
search field, not a dropdown of every organization of the district."""

from django.urls import reverse

from members.models import Transfer
from tests.factories import OrganizationFactory


def test_member_page_has_a_search_field_not_a_dropdown(world, login):
    for n in range(30):
        OrganizationFactory(street=world.street_b, name=f"中共丙{n}支部")
    page = login(world.secretary_a).get(reverse("members:detail", args=[world.member_a.pk])).content.decode()
    assert 'select name="to_organization"' not in page
    assert reverse("members:transfer_targets", args=[world.member_a.pk]) in page


def test_search_returns_matching_organizations_and_the_form_posts_the_choice(world, login):
    OrganizationFactory(street=world.street_b, name="中共丙科技支部")
    client = login(world.secretary_a)
    url = reverse("members:transfer_targets", args=[world.member_a.pk])
    found = client.get(url, {"q": "乙企业"})
    assert found.status_code == 200
    html = found.content.decode()
    assert world.org_b.name in html and f'value="{world.org_b.pk}"' in html
    assert "丙科技" not in html and world.org_a.name not in html  # not its own organization
    assert "没有名称含" in client.get(url, {"q": "不存在的名字"}).content.decode()
    assert client.get(url, {"q": ""}).content.decode().strip() == ""

    client.post(reverse("members:transfer", args=[world.member_a.pk]), {"to_organization": world.org_b.pk, "q": "乙"})
    assert Transfer.objects.filter(member=world.member_a, to_organization=world.org_b).exists()


def test_search_outsider_gets_404(world, login):
    url = reverse("members:transfer_targets", args=[world.member_b.pk])
    assert login(world.secretary_a).get(url, {"q": "甲"}).status_code == 404
    assert login(world.leader).get(url, {"q": "甲"}).status_code == 403
