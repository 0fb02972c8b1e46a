"""Public pages of a share: HTML with the chart inline, `.json` with what PostHog exposes, `.png` for previews,
the password gate, and 404 for anything not shared (spec sharing §1.4)."""

import io

import pytest
from PIL import Image

from tests.query_helpers import capture_events
from tests.sharing_helpers import enable, make_dashboard, make_insight, sharing_url

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "u1", {}, "2024-03-01T10:00:00Z"),
    ("$pageview", "u2", {}, "2024-03-01T11:00:00Z"),
    ("$pageview", "u1", {}, "2024-03-02T10:00:00Z"),
    ("$pageview", "u3", {}, "2024-03-03T09:00:00Z"),
    ("$pageview", "u3", {}, "2024-03-03T10:00:00Z"),
    ("$pageview", "u4", {}, "2024-03-03T12:00:00Z"),
]


@pytest.fixture
def shared(client, owner_client, world):
    capture_events(client, world.team, EVENTS)
    insight = make_insight(world.team, name="Daily pageviews", description="All pageviews")
    token = enable(owner_client, world.team.id, insight)["access_token"]
    return insight, token


def test_html_page_shows_title_chart_numbers_and_preview_tags(client, shared):
    insight, token = shared
    response = client.get(f"/shared/{token}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Daily pageviews</h1>" in html and "All pageviews" in html
    assert "<svg" in html and 'property="og:image"' in html and f"/shared/{token}.png" in html
    assert 'name="twitter:card" content="summary_large_image"' in html
    assert "Last refreshed" in html


def test_detailed_setting_adds_the_data_table_with_the_counts(client, owner_client, world, shared):
    insight, token = shared
    enable(owner_client, world.team.id, insight, settings={"detailed": True, "noHeader": True, "whitelabel": True})
    html = client.get(f"/shared/{token}").content.decode()
    assert '<table class="data">' in html
    assert "<td>2</td><td>1</td><td>3</td><td>6</td>" in html  # per day, then the total
    assert "<h1>" not in html and "Shared with insights-server" not in html


def test_json_gives_the_insight_as_posthog_exposes_it(client, owner_client, world, shared):
    insight, token = shared
    body = client.get(f"/shared/{token}.json").json()
    assert body["type"] == "scene" and body["accessToken"] == token
    assert body["insight"]["id"] == insight.id and body["insight"]["result"][0]["data"] == [2, 1, 3]
    assert body["insight"]["effective_privilege_level"] == 21 and body["insight"]["alerts"] == []
    assert "created_by" in body["insight"]
    enable(owner_client, world.team.id, insight, settings={"hideExtraDetails": True})
    hidden = client.get(f"/shared/{token}.json").json()
    assert not {"created_by", "last_modified_by", "created_at", "last_modified_at"} & set(hidden["insight"])
    assert hidden["hideExtraDetails"] is True


def test_png_is_a_picture_of_the_chart(client, shared):
    _, token = shared
    response = client.get(f"/shared/{token}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)


def test_embedded_is_of_type_embed(client, shared):
    _, token = shared
    assert client.get(f"/embedded/{token}").status_code == 200
    assert client.get(f"/shared/{token}.json?embedded").json()["type"] == "embed"


def test_disabled_unknown_and_deleted_shares_answer_404(client, owner_client, world, shared):
    insight, token = shared
    assert client.get("/shared/not-a-token").status_code == 404
    owner_client.patch(sharing_url(world.team.id, insight), {"enabled": False}, format="json")
    assert client.get(f"/shared/{token}").status_code == 404
    enable(owner_client, world.team.id, insight)
    insight.deleted = True
    insight.save()
    assert client.get(f"/shared/{token}.json").status_code == 404


def test_a_shared_dashboard_shows_every_tile_in_layout_order(client, owner_client, world):
    capture_events(client, world.team, EVENTS)
    second, first = make_insight(world.team, name="Second"), make_insight(world.team, name="First")
    dashboard = make_dashboard(world.team, first, second, name="Team board")
    token = enable(owner_client, world.team.id, dashboard)["access_token"]
    html = client.get(f"/shared/{token}").content.decode()
    assert html.index("<h2>First</h2>") < html.index("<h2>Second</h2>") and html.count("<svg") == 2
    body = client.get(f"/shared/{token}.json").json()
    assert [tile["insight"]["name"] for tile in body["dashboard"]["tiles"]] == ["First", "Second"]


def test_password_gate_form_json_cookie_and_bearer(client, owner_client, world, shared):
    insight, token = shared
    enable(owner_client, world.team.id, insight, password_required=True)
    owner_client.post(sharing_url(world.team.id, insight, "passwords/"), {"raw_password": "open sesame"}, format="json")
    gate = client.get(f"/shared/{token}")
    assert (
        gate.status_code == 200 and 'type="password"' in gate.content.decode() and "<svg" not in gate.content.decode()
    )
    assert client.get(f"/shared/{token}.json").json() == {"type": "unlock"}
    wrong = client.post(f"/shared/{token}", {"password": "nope"}, content_type="application/json")
    assert wrong.status_code == 401 and wrong.json() == {"error": "Incorrect password"}
    right = client.post(f"/shared/{token}", {"password": "open sesame"}, content_type="application/json")
    share_token = right.json()["shareToken"]
    assert right.cookies["posthog_sharing_token"]["httponly"]
    assert client.get(f"/shared/{token}").content.decode().count("<svg") == 1  # the cookie unlocks
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {share_token}", "HTTP_ACCEPT": "application/json"}
    from django.test import Client

    assert Client().get(f"/shared/{token}", **bearer).json()["insight"]["id"] == insight.id
    form = Client().post(f"/shared/{token}", {"password": "open sesame"})
    assert form.status_code == 303


def test_wrong_passwords_are_throttled_but_the_right_one_still_works(client, owner_client, world, shared):
    insight, token = shared
    enable(owner_client, world.team.id, insight, password_required=True)
    owner_client.post(sharing_url(world.team.id, insight, "passwords/"), {"raw_password": "open sesame"}, format="json")
    codes = [
        client.post(f"/shared/{token}", {"password": f"guess {n}"}, content_type="application/json").status_code
        for n in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    right = client.post(f"/shared/{token}", {"password": "open sesame"}, content_type="application/json")
    assert right.status_code == 200


def test_a_deactivated_password_revokes_its_share_token(client, owner_client, world, shared):
    insight, token = shared
    enable(owner_client, world.team.id, insight, password_required=True)
    created = owner_client.post(
        sharing_url(world.team.id, insight, "passwords/"), {"raw_password": "open sesame"}, format="json"
    ).json()
    share_token = client.post(f"/shared/{token}", {"password": "open sesame"}, content_type="application/json").json()
    owner_client.delete(sharing_url(world.team.id, insight, f"passwords/{created['id']}/"))
    from django.test import Client

    bearer = {"HTTP_AUTHORIZATION": f"Bearer {share_token['shareToken']}", "HTTP_ACCEPT": "application/json"}
    assert Client().get(f"/shared/{token}.json", **bearer).json() == {"type": "unlock"}
