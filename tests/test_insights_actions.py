"""Insight actions (spec §7): bulk_update_tags, cancel, my_last_viewed, trending, viewed, activity; tag helpers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import ActivityLog
from activity.services import log_activity
from insights.api.inputs import TOO_MANY_CHANGES
from insights.models import Insight, InsightViewed, Tag, TaggedItem
from insights.tags import insight_set_tags, tagify, tags_of
from tests.conftest import key_client

TRENDS = {"kind": "InsightVizNode", "source": {"kind": "TrendsQuery", "series": [{"kind": "EventsNode"}]}}


def url(team, action: str) -> str:
    return f"/api/projects/{team.id}/insights/{action}/"


def make(world, name="insight", team=None, **fields) -> Insight:
    fields.setdefault("query", TRENDS)
    return Insight.objects.create(team=team or world.team, name=name, created_by=world.owner, **fields)


# ---- tags ---------------------------------------------------------------------------------------------


def test_tagify_trims_and_lowercases():
    assert tagify("  Hello World ") == "hello world"


def test_insight_set_tags_normalises_dedupes_keeps_order_and_cleans_orphans(world):
    insight, other = make(world), make(world, "other")
    assert insight_set_tags(insight, [" B", "a", "b", "", "C "]) == ["b", "a", "c"]
    insight_set_tags(other, ["a"])
    assert insight_set_tags(insight, ["c", "d", "b"]) == ["b", "c", "d"]
    assert sorted(Tag.objects.filter(team=world.team).values_list("name", flat=True)) == ["a", "b", "c", "d"]
    insight_set_tags(other, [])
    assert sorted(Tag.objects.filter(team=world.team).values_list("name", flat=True)) == ["b", "c", "d"]
    assert insight_set_tags(insight, []) == []
    assert Tag.objects.filter(team=world.team).count() == 0
    assert tags_of(insight) == []


def bulk(client, world, payload):
    return client.post(url(world.team, "bulk_update_tags"), payload, format="json")


def test_bulk_update_tags_add_remove_set_and_skips(world, owner_client):
    first, second = make(world, "first"), make(world, "second")
    insight_set_tags(first, ["keep", "old"])
    deleted = make(world, "deleted", deleted=True)
    foreign = make(world, "foreign", team=world.other_team)
    response = bulk(
        owner_client,
        world,
        {"ids": [first.id, second.id, deleted.id, foreign.id, 999999], "action": "add", "tags": [" New ", "keep"]},
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "updated": [{"id": first.id, "tags": ["keep", "new", "old"]}, {"id": second.id, "tags": ["keep", "new"]}],
        "skipped": [{"id": i, "reason": "Not found or no edit access"} for i in (deleted.id, foreign.id, 999999)],
    }
    assert tags_of(first) == ["keep", "old", "new"]
    response = bulk(owner_client, world, {"ids": [first.id, second.id], "action": "remove", "tags": ["keep", "OLD"]})
    assert response.json()["updated"] == [{"id": first.id, "tags": ["new"]}, {"id": second.id, "tags": ["new"]}]
    assert not Tag.objects.filter(name__in=["keep", "old"]).exists()
    response = bulk(owner_client, world, {"ids": [first.id], "action": "set", "tags": []})
    assert response.json()["updated"] == [{"id": first.id, "tags": []}]
    entry = ActivityLog.objects.filter(item_id=str(second.id)).order_by("-created_at").first()
    assert entry.activity == "updated"
    assert entry.detail["changes"] == [
        {"type": "Insight", "action": "changed", "field": "tags", "before": ["keep", "new"], "after": ["new"]}
    ]


@pytest.mark.parametrize(
    ("payload", "attr", "detail"),
    [
        ({"action": "add", "tags": ["a"]}, "ids", "This field is required."),
        ({"ids": [], "action": "add", "tags": ["a"]}, "ids", "This list may not be empty."),
        ({"ids": [1, "x"], "action": "add", "tags": ["a"]}, "ids__1", "A valid integer is required."),
        ({"ids": [1], "action": None, "tags": ["a"]}, "action", None),
        ({"ids": [1], "action": "", "tags": ["a"]}, "action", None),
        ({"ids": list(range(1, 502)), "action": "add", "tags": ["a"]}, "ids", None),
        ({"ids": [1], "action": "merge", "tags": ["a"]}, "action", '"merge" is not a valid choice.'),
        ({"ids": [1], "action": "add", "tags": "a"}, "tags", None),
        ({"ids": [1], "action": "add", "tags": ["x" * 256]}, "tags", None),
        ({"ids": [1], "action": "add", "tags": [f"t{i}" for i in range(101)]}, "tags", None),
        ({"ids": [1], "action": "add", "tags": []}, "tags", "tags must not be empty for action 'add'."),
        ({"ids": [1], "action": "remove", "tags": ["  "]}, "tags", "tags must not be empty for action 'remove'."),
        ({"ids": list(range(1, 501)), "action": "set", "tags": [f"t{i}" for i in range(21)]}, "tags", TOO_MANY_CHANGES),
    ],
)
def test_bulk_update_tags_validation(world, owner_client, payload, attr, detail):
    response = bulk(owner_client, world, payload)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error" and body["attr"] == attr
    if detail:
        assert body["detail"] == detail


def test_bulk_update_tags_skips_insights_only_on_restricted_dashboards(world, member_client):
    from dashboards.models import Dashboard, DashboardTile

    restricted = Dashboard.objects.create(team=world.team, name="r", created_by=world.owner, restriction_level=37)
    locked, free = make(world, "locked"), make(world, "free")
    DashboardTile.objects.create(dashboard=restricted, insight=locked)
    response = bulk(member_client, world, {"ids": [locked.id, free.id], "action": "add", "tags": ["x"]})
    assert response.json() == {
        "updated": [{"id": free.id, "tags": ["x"]}],
        "skipped": [{"id": locked.id, "reason": "Not found or no edit access"}],
    }


def test_bulk_update_tags_limit_counts_distinct_normalised_tags(world, owner_client):
    ids = list(range(1, 501))
    tags = [f"t{i}" for i in range(20)] + ["T0", " t1 "]
    assert bulk(owner_client, world, {"ids": ids, "action": "set", "tags": tags}).status_code == 200


# ---- cancel -------------------------------------------------------------------------------------------


def test_cancel_requires_client_query_id_and_answers_201(world, owner_client):
    missing = owner_client.post(url(world.team, "cancel"), {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["attr"] == "client_query_id" and missing.json()["detail"] == "Field is required."
    response = owner_client.post(url(world.team, "cancel"), {"client_query_id": "abc-123"}, format="json")
    assert response.status_code == 201
    assert response.content == b""


# ---- viewed / my_last_viewed ------------------------------------------------------------------------


def test_viewed_upserts_one_row_per_user_and_drops_foreign_ids(world, owner_client):
    insight, deleted = make(world), make(world, "deleted", deleted=True)
    foreign = make(world, "foreign", team=world.other_team)
    ids = [insight.id, deleted.id, foreign.id, 424242]
    response = owner_client.post(url(world.team, "viewed"), {"insight_ids": ids}, format="json")
    assert response.status_code == 201 and response.content == b""
    first = InsightViewed.objects.get()
    assert (first.insight_id, first.user_id, first.team_id) == (insight.id, world.owner.id, world.team.id)
    owner_client.post(url(world.team, "viewed"), {"insight_ids": [insight.id]}, format="json")
    assert InsightViewed.objects.count() == 1
    assert InsightViewed.objects.get().last_viewed_at > first.last_viewed_at


@pytest.mark.parametrize(
    "payload", [{}, {"insight_ids": []}, {"insight_ids": ["a"]}, {"insight_ids": 3}, {"insight_ids": list(range(2501))}]
)
def test_viewed_validation(world, owner_client, payload):
    response = owner_client.post(url(world.team, "viewed"), payload, format="json")
    assert response.status_code == 400
    # A bad item is reported at its index, as DRF's ListField does.
    assert response.json()["attr"] == ("insight_ids__0" if payload.get("insight_ids") == ["a"] else "insight_ids")


def test_my_last_viewed_returns_own_five_latest_live_insights(world, owner_client):
    now = timezone.now()
    insights = [make(world, f"i{n}") for n in range(7)]
    for n, insight in enumerate(insights):
        InsightViewed.objects.create(
            team=world.team, user=world.owner, insight=insight, last_viewed_at=now - timedelta(hours=n)
        )
    InsightViewed.objects.create(team=world.team, user=world.member, insight=insights[6], last_viewed_at=now)
    Insight.objects.filter(pk=insights[1].pk).update(deleted=True)
    response = owner_client.get(url(world.team, "my_last_viewed"))
    assert response.status_code == 200
    body = response.json()
    assert [row["name"] for row in body] == ["i0", "i2", "i3", "i4", "i5"]
    assert "result" not in body[0] and "view_count" not in body[0]
    own_view = InsightViewed.objects.get(user=world.owner, insight=insights[0]).last_viewed_at
    assert body[0]["last_viewed_at"].replace("Z", "+00:00") == own_view.isoformat()


# ---- trending -------------------------------------------------------------------------------------------


def test_trending_orders_by_viewers_in_window_with_recent_viewers(world, owner_client):
    now = timezone.now()
    popular, single, stale = make(world, "popular"), make(world, "single"), make(world, "stale")
    make(world, "never")
    for user, age in ((world.owner, 1), (world.member, 2)):
        InsightViewed.objects.create(
            team=world.team, user=user, insight=popular, last_viewed_at=now - timedelta(days=age)
        )
    InsightViewed.objects.create(team=world.team, user=None, insight=popular, last_viewed_at=now)
    InsightViewed.objects.create(
        team=world.team, user=world.owner, insight=single, last_viewed_at=now - timedelta(days=3)
    )
    InsightViewed.objects.create(
        team=world.team, user=world.owner, insight=stale, last_viewed_at=now - timedelta(days=30)
    )
    response = owner_client.get(url(world.team, "trending"))
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [(row["name"], row["view_count"]) for row in body["results"]] == [("popular", 3), ("single", 1)]
    assert [viewer["email"] for viewer in body["results"][0]["viewers"]] == ["owner@example.com", "member@example.com"]
    assert body["results"][0]["last_modified_by"] is None
    wide = owner_client.get(url(world.team, "trending"), {"days": 60, "limit": 1}).json()
    assert [row["name"] for row in wide["results"]] == ["popular"]
    assert len(owner_client.get(url(world.team, "trending"), {"days": 60}).json()["results"]) == 3


@pytest.mark.parametrize("params", [{"days": "x"}, {"limit": "1.5"}, {"days": ""}])
def test_trending_rejects_non_integers(world, owner_client, params):
    response = owner_client.get(url(world.team, "trending"), params)
    assert response.status_code == 400
    assert response.json()["detail"] == "days and limit must be valid integers"
    assert response.json()["attr"] is None


# ---- activity --------------------------------------------------------------------------------------------


def log(world, insight, name, **kwargs):
    log_activity(
        team_id=insight.team_id,
        organization_id=world.organization.id,
        user=world.owner,
        item_id=insight.id,
        scope="Insight",
        activity="updated",
        detail={
            "name": name,
            "short_id": insight.short_id,
            "changes": [{"type": "Insight", "action": "changed", "field": "name", "before": "a", "after": name}],
            "trigger": None,
            "type": None,
        },
        **kwargs,
    )


def test_insight_activity_pages_with_links_and_total(world, owner_client):
    insight, other = make(world), make(world, "other")
    for number in range(3):
        log(world, insight, f"v{number}")
    log(world, other, "o")
    response = owner_client.get(f"/api/projects/{world.team.id}/insights/{insight.id}/activity/", {"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["total_count"] == 3
    assert len(body["results"]) == 2
    assert (
        body["next"] == f"http://testserver/api/projects/{world.team.id}/insights/{insight.id}/activity/?limit=2&page=2"
    )
    assert body["previous"] is None
    assert body["results"][0]["scope"] == "Insight" and body["results"][0]["item_id"] == str(insight.id)
    second = owner_client.get(body["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["previous"].endswith("activity/?limit=2&page=1")
    everything = owner_client.get(f"/api/projects/{world.team.id}/insights/activity/").json()
    assert everything["total_count"] == 4


def test_insight_activity_of_another_project_is_404(world, owner_client):
    foreign = make(world, "foreign", team=world.other_team)
    response = owner_client.get(f"/api/projects/{world.team.id}/insights/{foreign.id}/activity/")
    assert response.status_code == 404


def test_activity_actions_need_activity_log_read_scope(world):
    insight = make(world)
    denied = key_client(world.owner, ["insight:read"]).get(
        f"/api/projects/{world.team.id}/insights/{insight.id}/activity/"
    )
    assert denied.status_code == 403
    allowed = key_client(world.owner, ["activity_log:read"]).get(f"/api/projects/{world.team.id}/insights/activity/")
    assert allowed.status_code == 200


def test_insight_create_and_rename_through_api_are_logged(world, owner_client):
    created = owner_client.post(
        f"/api/projects/{world.team.id}/insights/", {"name": "insight name", "query": TRENDS}, format="json"
    )
    assert created.status_code == 201, created.json()
    insight_id = created.json()["id"]
    owner_client.patch(
        f"/api/projects/{world.team.id}/insights/{insight_id}/", {"name": "insight new name"}, format="json"
    )
    results = owner_client.get(f"/api/projects/{world.team.id}/insights/{insight_id}/activity/").json()["results"]
    assert [entry["activity"] for entry in results] == ["updated", "created"]
    assert results[0]["detail"]["changes"] == [
        {"type": "Insight", "action": "changed", "field": "name", "before": "insight name", "after": "insight new name"}
    ]
    assert results[0]["user"] == {"first_name": "Olive", "email": "owner@example.com"}
    assert results[1]["detail"]["changes"] is None
    assert TaggedItem.objects.count() == 0
