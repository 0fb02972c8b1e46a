"""The home page and shared pages in a real browser (headless Chromium), with JavaScript on and off: the charts
are there as SVG and the numbers of the result are on the page. Screenshots go to .data/test-artifacts/.

Headless Chromium produces neither a DOM dump nor a screenshot with scripts disabled, so "JavaScript off" is
proven on the page itself: it carries no executable script (only a JSON data block), so what the browser shows
with scripts on is what it shows with them off."""

import re

import pytest
from PIL import Image

from tests.browser import colourful_pixels, dom, screenshot
from tests.query_helpers import capture_events
from tests.sharing_helpers import enable, make_dashboard, make_insight

pytestmark = [pytest.mark.usefixtures("clickhouse"), pytest.mark.django_db(transaction=True)]

EVENTS = [
    ("$pageview", "u1", {"$browser": "Chrome"}, "2024-03-01T10:00:00Z"),
    ("$pageview", "u2", {"$browser": "Safari"}, "2024-03-01T11:00:00Z"),
    ("$pageview", "u1", {"$browser": "Chrome"}, "2024-03-02T10:00:00Z"),
    ("signed_up", "u1", {}, "2024-03-02T10:05:00Z"),
    ("$pageview", "u3", {"$browser": "Firefox"}, "2024-03-03T09:00:00Z"),
    ("signed_up", "u3", {}, "2024-03-03T09:10:00Z"),
    ("purchase", "u3", {}, "2024-03-03T09:20:00Z"),
]
RANGE = {"date_from": "2024-03-01", "date_to": "2024-03-03"}
FUNNEL = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "FunnelsQuery",
        "series": [{"kind": "EventsNode", "event": e} for e in ("$pageview", "signed_up", "purchase")],
        "dateRange": RANGE,
    },
}
RETENTION = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "RetentionQuery",
        "dateRange": {"date_from": "2024-03-01", "date_to": "2024-03-03"},
        "retentionFilter": {"period": "Day", "totalIntervals": 3},
    },
}


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)


def cells(html: str) -> list[str]:
    return re.findall(r"<td>([^<]*)</td>", html)


EXECUTABLE_SCRIPT = re.compile(r"<script(?![^>]*type=\"application/json\")", re.IGNORECASE)


def test_shared_trends_funnel_retention_and_dashboard_pages(live_server, owner_client, world, data):
    trends, funnel, retention = (
        make_insight(world.team, name="Pageviews"),
        make_insight(world.team, name="Signup funnel", query=FUNNEL),
        make_insight(world.team, name="Retention", query=RETENTION),
    )
    expected_cells = {trends: ["2", "1", "1", "4"], funnel: ["3", "2", "1"], retention: []}
    for insight, numbers in expected_cells.items():
        token = enable(owner_client, world.team.id, insight, settings={"detailed": True})["access_token"]
        url = f"{live_server.url}/shared/{token}"
        html = dom(url)
        assert f"<h1>{insight.name}</h1>" in html and html.count("<svg") >= 1
        assert not EXECUTABLE_SCRIPT.search(html), "the page must work with JavaScript off"
        page_cells = cells(html)
        for number in numbers:
            assert number in page_cells, (insight.name, number, page_cells)
        shot = screenshot(url, f"shared-{insight.name.lower().replace(' ', '-')}")
        assert Image.open(shot).size == (1280, 1400)
        assert colourful_pixels(shot) > 200, f"{shot} shows no chart"
    dashboard = make_dashboard(world.team, trends, funnel, retention, name="Board")
    token = enable(owner_client, world.team.id, dashboard)["access_token"]
    html = dom(f"{live_server.url}/shared/{token}")
    assert html.count('class="card insight"') == 3 and html.count("<svg") >= 3
    assert not EXECUTABLE_SCRIPT.search(html)
    shot = screenshot(f"{live_server.url}/shared/{token}", "shared-dashboard")
    assert colourful_pixels(shot) > 200


def test_home_page_login_form_then_charts(live_server, world, data):
    html = dom(f"{live_server.url}/")
    assert 'name="password"' in html and "Sign in" in html
    make_insight(world.team, name="Pageviews")
    from django.test import Client

    browser_like = Client()
    assert (
        browser_like.post("/login", {"email": "owner@example.com", "password": "correct-horse-battery"}).status_code
        == 302
    )
    home = browser_like.get("/").content.decode()
    assert "Pageviews" in home and "<svg" in home and "/project/" in home
