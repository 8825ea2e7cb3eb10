"""The enterprise page shows the facts staff look up first: address, owner
(legal representative), contact phone (masked) and revenue."""

from decimal import Decimal

from django.urls import reverse


def test_enterprise_page_shows_address_owner_masked_phone_and_revenue(world, login):
    e = world.enterprise_a
    e.address, e.owner_name, e.phone, e.revenue = "甲街道工业路8号", "赵业主", "13812345678", Decimal("1234.50")
    e.save()
    page = login(world.street_a_staff).get(reverse("orgs:enterprise_detail", args=[e.pk])).content.decode()
    assert "甲街道工业路8号" in page and "赵业主" in page
    assert "138****5678" in page and "13812345678" not in page
    assert "1234.50 万元" in page


def test_enterprise_page_outsider_gets_404(world, login):
    url = reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk])
    assert login(world.secretary_b).get(url).status_code == 404
