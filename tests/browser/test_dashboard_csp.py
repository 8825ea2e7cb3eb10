"""The dashboard under its Content-Security-Policy in a real browser: no
console error after filter changes (htmx swaps, ECharts redraws), and a
trend of a single month still draws its point."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from demo.seed import seed_demo
from orgs.models import Enterprise
from stats.coverage import coverage_compute

pytestmark = pytest.mark.browser

RED = (0xB7, 0x1C, 0x1C)


@pytest.fixture
def one_night(transactional_db):
    """A district whose nightly statistics ran once: the trend has one month."""
    seed_demo(enterprises=60, seed=5)
    on = timezone.localdate() - timedelta(days=1)
    coverage_compute(on=on)
    return on


def red_pixels(page, selector: str) -> int:
    return page.evaluate(
        """([selector, rgb]) => {
          const canvas = document.querySelector(selector + ' canvas');
          if (!canvas) { return 0; }
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          // Below the legend (its swatches are red too): the plot area only.
          const top = Math.round(canvas.height * 0.2) * canvas.width * 4;
          for (let i = top; i < data.length; i += 4) {
            if (Math.abs(data[i] - rgb[0]) < 12 && Math.abs(data[i + 1] - rgb[1]) < 12
                && Math.abs(data[i + 2] - rgb[2]) < 12 && data[i + 3] > 200) { n++; }
          }
          return n;
        }""",
        [selector, list(RED)],
    )


def drawn_red(page, selector: str, *, at_least: int = 10, seconds: float = 5.0) -> int:
    """The red pixels of a chart once it has them (or after `seconds`)."""
    for _ in range(int(seconds * 10)):
        found = red_pixels(page, selector)
        if found > at_least:
            return found
        page.wait_for_timeout(100)
    return red_pixels(page, selector)


def test_filter_changes_raise_no_console_error_and_a_single_month_draws(one_night, phone_as, live_server):
    from orgs.models import User

    page = phone_as(User.objects.get(username="district"))
    page.set_viewport_size({"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} @ {m.location}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + reverse("orgs:dashboard"))
    page.wait_for_selector("#chart-trend[data-drawn] canvas")
    # The one month of the trend is drawn (a point), not an empty chart; the
    # point grows in with the chart's animation, so look until it is there.
    assert drawn_red(page, "#chart-trend") > 10
    page.check("input[name=above_scale]")
    page.wait_for_url(re.compile(r"above_scale=1"))
    page.wait_for_selector("#chart-trend[data-drawn] canvas")
    # An industry the demo's above-scale firms are in, so the filtered dashboard has charts.
    industry = Enterprise.objects.filter(above_scale=True).values_list("industry", flat=True).first()
    page.select_option("select[name=industry]", industry)
    page.wait_for_url(re.compile(rf"industry={industry}"))
    page.wait_for_selector("#chart-stars[data-drawn] canvas")
    # Tooltips appear under the pointer, on both charts, after the redraw.
    for chart in ("#chart-stars", "#chart-trend"):
        box = page.locator(f"{chart} canvas").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(400)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], "\n".join(errors)
