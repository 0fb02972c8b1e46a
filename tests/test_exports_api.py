"""`/api/projects/:id/exports/` (spec exports §1): create in the request, PostHog's filename and expiry, content,
CSV laid out per kind, failures recorded with 201, and only the creator's exports visible."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from PIL import Image

from tests.query_helpers import capture_events
from tests.sharing_helpers import make_dashboard, make_insight

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "u1", {"$browser": "Chrome"}, "2024-03-01T10:00:00Z"),
    ("$pageview", "u2", {"$browser": "Safari"}, "2024-03-01T11:00:00Z"),
    ("$pageview", "u1", {"$browser": "Chrome"}, "2024-03-02T10:00:00Z"),
    ("signed_up", "u1", {}, "2024-03-02T10:05:00Z"),
]


def url(team_id, suffix=""):
    return f"/api/projects/{team_id}/exports/{suffix}"


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)


def test_png_export_of_an_insight(owner_client, world, data):
    insight = make_insight(world.team, name="Example insight")
    with freeze_time(timezone.now().replace(microsecond=0)) as now:
        body = owner_client.post(
            url(world.team.id), {"export_format": "image/png", "insight": insight.id}, format="json"
        ).json()
        stamp = now().strftime("%Y-%m-%d-%H%M%S")
        expiry = (now() + timedelta(days=180)).replace(hour=0, minute=0, second=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert list(body) == [
        "id",
        "dashboard",
        "insight",
        "export_format",
        "created_at",
        "has_content",
        "export_context",
        "filename",
        "expires_after",
        "exception",
    ]
    assert body["filename"] == f"export-example-insight-{stamp}.png"
    assert body["has_content"] is True and body["exception"] is None and body["expires_after"] == expiry
    content = owner_client.get(url(world.team.id, f"{body['id']}/content/?download=true"))
    assert content["Content-Type"] == "image/png"
    assert content["Content-Disposition"] == f'attachment; filename="{body["filename"]}"'
    assert Image.open(io.BytesIO(content.content)).size == (1200, 630)


def test_csv_of_a_trends_insight_has_one_column_per_day(owner_client, world, data):
    query = {
        "kind": "InsightVizNode",
        "source": {
            "kind": "TrendsQuery",
            "series": [{"kind": "EventsNode", "event": "$pageview", "math": "total"}],
            "dateRange": {"date_from": "2024-03-01", "date_to": "2024-03-02"},
            "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
        },
    }
    insight = make_insight(world.team, query=query)
    body = owner_client.post(
        url(world.team.id), {"export_format": "text/csv", "insight": insight.id}, format="json"
    ).json()
    content = owner_client.get(url(world.team.id, f"{body['id']}/content/")).content
    assert content.endswith(b"\r\n")
    rows = rows_of(content)
    assert rows[0] == ["series", "$browser", "1-Mar-2024", "2-Mar-2024"]
    assert sorted(rows[1:]) == [["$pageview", "Chrome", "1", "1"], ["$pageview", "Safari", "1", "0"]]


def test_csv_of_a_hogql_source_and_chosen_columns(owner_client, world, data):
    context = {
        "source": {
            "kind": "HogQLQuery",
            "query": "select event, count() as c from events group by event order by event",
        }
    }
    body = owner_client.post(
        url(world.team.id), {"export_format": "text/csv", "export_context": context}, format="json"
    ).json()
    rows = rows_of(owner_client.get(url(world.team.id, f"{body['id']}/content/")).content)
    assert rows == [["event", "c"], ["$pageview", "3"], ["signed_up", "1"]]
    funnel = {
        "source": {
            "kind": "FunnelsQuery",
            "series": [{"kind": "EventsNode", "event": "$pageview"}, {"kind": "EventsNode", "event": "signed_up"}],
            "dateRange": {"date_from": "2024-03-01", "date_to": "2024-03-03"},
        }
    }
    body = owner_client.post(
        url(world.team.id), {"export_format": "text/csv", "export_context": funnel}, format="json"
    ).json()
    rows = rows_of(owner_client.get(url(world.team.id, f"{body['id']}/content/")).content)
    assert rows[0] == [
        "name",
        "breakdown_value",
        "action_id",
        "count",
        "median_conversion_time (seconds)",
        "average_conversion_time (seconds)",
    ]
    assert [row[3] for row in rows[1:]] == ["2", "1"]


def test_validation_messages(owner_client, outsider_client, world):
    foreign, own = make_insight(world.other_team), make_insight(world.team)
    cases = [
        ({}, "export_format", "This field is required."),
        ({"export_format": "image/jpeg", "insight": own.id}, "export_format", '"image/jpeg" is not a valid choice.'),
        (
            {"export_format": "image/png"},
            None,
            "Either dashboard, insight or export_context is required for an export.",
        ),
        (
            {"export_format": "image/png", "insight": foreign.id},
            "insight",
            "This insight does not belong to your team.",
        ),
        (
            {"export_format": "image/png", "dashboard": 54321},
            "dashboard",
            'Invalid pk "54321" - object does not exist.',
        ),
    ]
    for body, attr, detail in cases:
        response = owner_client.post(url(world.team.id), body, format="json")
        assert response.status_code == 400 and response.json()["attr"] == attr and response.json()["detail"] == detail


def test_a_failure_is_recorded_and_still_201(owner_client, world):
    context = {"source": {"kind": "HogQLQuery", "query": "select nope from events"}}
    response = owner_client.post(
        url(world.team.id), {"export_format": "text/csv", "export_context": context}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["has_content"] is False and "nope" in response.json()["exception"]
    assert owner_client.get(url(world.team.id, f"{response.json()['id']}/content/")).status_code == 404


def test_only_the_creator_sees_an_export(owner_client, member_client, outsider_client, world, data):
    dashboard = make_dashboard(world.team, make_insight(world.team), name="Board")
    body = owner_client.post(
        url(world.team.id), {"export_format": "image/png", "dashboard": dashboard.id}, format="json"
    ).json()
    assert body["filename"].startswith("export-board-")
    assert [row["id"] for row in owner_client.get(url(world.team.id)).json()["results"]] == [body["id"]]
    assert member_client.get(url(world.team.id)).json()["results"] == []
    assert member_client.get(url(world.team.id, f"{body['id']}/")).status_code == 404
    assert outsider_client.get(url(world.other_team.id, f"{body['id']}/")).status_code == 404


def test_a_format_this_server_cannot_make_is_recorded_as_not_supported(owner_client, world):
    insight = make_insight(world.team)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = owner_client.post(url(world.team.id), {"export_format": xlsx, "insight": insight.id}, format="json")
    assert response.status_code == 201
    assert response.json()["has_content"] is False
    assert response.json()["exception"] == f"Export to format {xlsx} is not supported for insights"
