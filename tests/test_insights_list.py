"""GET /insights/: every list filter of spec §4.2, the type mapping (§4.3), search (§4.4), ordering and CSV (§4.6)."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.models import Dashboard, DashboardTile
from insights.models import Insight, InsightViewed
from insights.selectors import SEARCH_TOO_LONG, trigram_search_available
from insights.tags import insight_set_tags

TRENDS = {"kind": "InsightVizNode", "source": {"kind": "TrendsQuery", "series": [{"kind": "EventsNode"}]}}
FUNNELS = {"kind": "InsightVizNode", "source": {"kind": "FunnelsQuery", "series": [{"kind": "EventsNode"}]}}
SQL = {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": "select 1"}}
EVENTS_TABLE = {"kind": "DataTableNode", "source": {"kind": "EventsQuery", "select": ["*"]}}
BARE_TRENDS = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode"}]}


def url(team) -> str:
    return f"/api/projects/{team.id}/insights/"


def make(world, name=None, team=None, **fields) -> Insight:
    team = team or world.team
    fields.setdefault("query", TRENDS)
    fields.setdefault("created_by", world.owner)
    return Insight.objects.create(team=team, name=name, **fields)


def names(client, world, **params) -> list[str]:
    params = {key: json.dumps(value) if isinstance(value, list) else value for key, value in params.items()}
    response = client.get(url(world.team), {"basic": "true", **params})
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def test_list_excludes_deleted_and_other_projects_and_orders_by_order_column(world, owner_client):
    make(world, "third")
    make(world, "first", order=1)
    make(world, "second", order=2)
    make(world, "gone", deleted=True)
    make(world, "foreign", team=world.other_team)
    assert names(owner_client, world) == ["first", "second", "third"]


def test_list_filters_short_id_user_and_favorited(world, owner_client):
    mine = make(world, "mine", favorited=True)
    make(world, "theirs", created_by=world.member)
    assert names(owner_client, world, short_id=mine.short_id) == ["mine"]
    assert sorted(names(owner_client, world, user="false")) == ["mine"]
    assert names(owner_client, world, favorited="false") == ["mine"]


def test_list_created_by_json_array(world, owner_client):
    make(world, "a")
    make(world, "b", created_by=world.member)
    make(world, "c", created_by=None)
    assert names(owner_client, world, created_by=[world.member.id]) == ["b"]
    assert sorted(names(owner_client, world, created_by=[world.member.id, world.owner.id])) == ["a", "b"]
    assert sorted(names(owner_client, world, created_by=[])) == ["a", "b", "c"]
    bad = owner_client.get(url(world.team), {"created_by": "[1,"})
    assert bad.status_code == 400 and bad.json()["attr"] == "created_by"


def test_list_saved_includes_unsaved_on_listed_dashboards(world, owner_client):
    make(world, "saved")
    on_listed = make(world, "unsaved listed", saved=False)
    on_unlisted = make(world, "unsaved unlisted", saved=False)
    make(world, "unsaved loose", saved=False)
    listed = Dashboard.objects.create(team=world.team, name="listed")
    unlisted = Dashboard.objects.create(team=world.team, name="unlisted", creation_mode="unlisted")
    DashboardTile.objects.create(dashboard=listed, insight=on_listed)
    DashboardTile.objects.create(dashboard=unlisted, insight=on_unlisted)
    assert sorted(names(owner_client, world, saved="true")) == ["saved", "unsaved listed"]
    assert sorted(names(owner_client, world, saved="0")) == ["unsaved listed", "unsaved loose", "unsaved unlisted"]


def test_list_dashboards_is_and_and_ignores_soft_deleted_tiles(world, owner_client):
    one = Dashboard.objects.create(team=world.team, name="one")
    two = Dashboard.objects.create(team=world.team, name="two")
    both, only_one, removed = make(world, "both"), make(world, "only one"), make(world, "removed from two")
    for insight in (both, only_one, removed):
        DashboardTile.objects.create(dashboard=one, insight=insight)
    DashboardTile.objects.create(dashboard=two, insight=both)
    DashboardTile.objects.create(dashboard=two, insight=removed, deleted=True)
    assert sorted(names(owner_client, world, dashboards=[one.id])) == ["both", "only one", "removed from two"]
    assert names(owner_client, world, dashboards=[one.id, two.id]) == ["both"]
    bad = owner_client.get(url(world.team), {"dashboards": '["x"]'})
    assert bad.status_code == 400 and bad.json()["attr"] == "dashboards"


def test_list_tags_match_any_without_duplicates(world, owner_client):
    insight_set_tags(make(world, "ab"), ["a", "b"])
    insight_set_tags(make(world, "b"), ["b"])
    insight_set_tags(make(world, "c"), ["c"])
    make(world, "none")
    assert sorted(names(owner_client, world, tags=["a", "b"])) == ["ab", "b"]
    assert names(owner_client, world, tags=["c"]) == ["c"]
    assert len(names(owner_client, world, tags=[])) == 4


def test_list_insight_type_mapping(world, owner_client):
    make(world, "wrapped trends", query=TRENDS)
    make(world, "legacy trends", query=None, filters={"insight": "TRENDS"})
    make(world, "bare trends", query=BARE_TRENDS)
    make(world, "funnel", query=FUNNELS)
    make(world, "sql", query=SQL)
    make(world, "events table", query=EVENTS_TABLE)
    make(world, "legacy custom", query=None, filters={"insight": "CUSTOM"})
    assert sorted(names(owner_client, world, insight="TRENDS")) == ["legacy trends", "wrapped trends"]
    assert names(owner_client, world, insight="FUNNELS") == ["funnel"]
    assert names(owner_client, world, insight="SQL") == ["sql"]
    assert sorted(names(owner_client, world, insight="JSON")) == ["bare trends", "events table"]
    assert names(owner_client, world, insight="CUSTOM") == ["legacy custom"]


def test_list_modified_and_created_date_filters_accept_relative_and_absolute_dates(world, owner_client):
    now = timezone.now()
    old, recent = make(world, "old"), make(world, "recent")
    Insight.objects.filter(pk=old.pk).update(
        last_modified_at=now - timedelta(days=10), created_at=now - timedelta(days=30)
    )
    Insight.objects.filter(pk=recent.pk).update(
        last_modified_at=now - timedelta(days=1), created_at=now - timedelta(days=2)
    )
    assert names(owner_client, world, date_from="-7d") == ["recent"]
    assert names(owner_client, world, date_to="-7d") == ["old"]
    assert names(owner_client, world, created_date_from="-7d") == ["recent"]
    assert names(owner_client, world, created_date_to="-1w") == ["old"]
    absolute = (now - timedelta(days=5)).date().isoformat()
    assert names(owner_client, world, date_from=absolute) == ["recent"]
    assert names(owner_client, world, date_from="2000-01-01", date_to="2000-02-01") == []


def test_list_last_viewed_filters_and_ordering(world, owner_client):
    now = timezone.now()
    never, long_ago, lately = make(world, "never"), make(world, "long ago"), make(world, "lately")
    InsightViewed.objects.create(
        team=world.team, user=world.owner, insight=long_ago, last_viewed_at=now - timedelta(days=20)
    )
    InsightViewed.objects.create(
        team=world.team, user=world.member, insight=lately, last_viewed_at=now - timedelta(days=3)
    )
    InsightViewed.objects.create(
        team=world.team, user=world.owner, insight=lately, last_viewed_at=now - timedelta(days=1)
    )
    assert names(owner_client, world, last_viewed_date_from="-7d") == ["lately"]
    assert names(owner_client, world, last_viewed_date_to="-7d") == ["long ago"]
    assert names(owner_client, world, order="-last_viewed_at") == ["lately", "long ago", "never"]
    assert names(owner_client, world, order="last_viewed_at") == ["never", "long ago", "lately"]
    rows = owner_client.get(url(world.team), {"basic": "1", "short_id": lately.short_id}).json()["results"]
    assert datetime.fromisoformat(rows[0]["last_viewed_at"].replace("Z", "+00:00")) > now - timedelta(days=2)
    assert never.id not in [
        row["id"] for row in owner_client.get(url(world.team), {"last_viewed_date_from": "-100d"}).json()["results"]
    ]


def test_list_order_param_and_invalid_order(world, owner_client):
    make(world, "b")
    make(world, "a")
    make(world, "c")
    assert names(owner_client, world, order="name") == ["a", "b", "c"]
    assert names(owner_client, world, order="-name") == ["c", "b", "a"]
    bad = owner_client.get(url(world.team), {"order": "nonsense"})
    assert bad.status_code == 400 and bad.json()["attr"] == "order"


def test_list_feature_flag_events_and_hide_feature_flag_insights(world, owner_client):
    breakdown = {**TRENDS, "source": {**TRENDS["source"], "breakdownFilter": {"breakdown": "$feature/beta"}}}
    make(world, "query breakdown", query=breakdown)
    make(world, "legacy breakdown", query=None, filters={"insight": "TRENDS", "breakdown": "$feature/beta"})
    make(world, "legacy property", query=None, filters={"insight": "TRENDS", "properties": [{"key": "beta"}]})
    make(world, "other")
    assert sorted(names(owner_client, world, feature_flag="beta")) == [
        "legacy breakdown",
        "legacy property",
        "query breakdown",
    ]
    make(world, "pageviews", query_metadata={"events": ["$pageview", "signup"]})
    make(world, "signups", query_metadata={"events": ["signup"]})
    assert sorted(names(owner_client, world, events=["signup"])) == ["pageviews", "signups"]
    assert names(owner_client, world, events=["signup", "$pageview"]) == ["pageviews"]
    make(world, "Feature Flag Called Total Volume")
    assert "Feature Flag Called Total Volume" in names(owner_client, world)
    assert "Feature Flag Called Total Volume" not in names(owner_client, world, hide_feature_flag_insights="true")


def test_list_search_exact_in_fields_and_tags(world, owner_client):
    make(world, "Weekly Revenue")
    make(world, None, derived_name="Revenue by country")
    make(world, "Signups", description="counts new revenue accounts")
    insight_set_tags(make(world, "Tagged"), ["finance-revenue"])
    make(world, "Pageviews")
    response = owner_client.get(url(world.team), {"basic": "1", "search": "  REVENUE\x00 "})
    rows = response.json()["results"]
    assert sorted(row["id"] for row in rows if row["search_match_type"] == "exact") == sorted(
        Insight.objects.exclude(name="Pageviews").values_list("id", flat=True)
    )
    assert "search_match_type" not in owner_client.get(url(world.team), {"basic": "1"}).json()["results"][0]
    assert len(names(owner_client, world, search="   ")) == 5


def test_list_search_similar_matches_rank_after_exact(world, owner_client):
    make(world, "Revenue per user")
    make(world, "Revenu forecast")
    make(world, "Unrelated")
    rows = owner_client.get(url(world.team), {"basic": "1", "search": "revenue"}).json()["results"]
    assert [(row["name"], row["search_match_type"]) for row in rows] == [
        ("Revenue per user", "exact"),
        ("Revenu forecast", "similar"),
    ]


def test_list_search_words_in_any_order_are_similar(world, owner_client):
    make(world, "user revenue")
    make(world, "Pageviews")
    rows = owner_client.get(url(world.team), {"basic": "1", "search": "revenue user"}).json()["results"]
    assert [(row["name"], row["search_match_type"]) for row in rows] == [("user revenue", "similar")]


def test_trigram_extension_is_installed_for_postgres(world):
    assert trigram_search_available() is (connection.vendor == "postgresql")


def test_list_search_longer_than_200_characters_is_400(world, owner_client):
    response = owner_client.get(url(world.team), {"search": "x" * 201})
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": SEARCH_TOO_LONG,
        "attr": "search",
    }
    assert owner_client.get(url(world.team), {"search": "x" * 200}).status_code == 200


def test_list_query_count_is_bounded_whatever_the_page_size(world, owner_client):
    dashboard = Dashboard.objects.create(team=world.team, name="d")
    trigram_search_available()  # the once-per-process extension check is not part of a page's cost

    def count_for(total: int) -> int:
        while Insight.objects.count() < total:
            insight = make(world, f"i{Insight.objects.count()}")
            insight_set_tags(insight, ["x", f"t{insight.id}"])
            DashboardTile.objects.create(dashboard=dashboard, insight=insight)
            InsightViewed.objects.create(
                team=world.team, user=world.owner, insight=insight, last_viewed_at=timezone.now()
            )
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(url(world.team), {"basic": "1", "tags": '["x"]', "search": "i", "saved": "1"})
        assert response.status_code == 200 and len(response.json()["results"]) == total
        return len(queries)

    assert owner_client.get(url(world.team)).status_code == 200  # fills the per-process access cache
    assert count_for(2) == count_for(12)


def test_list_csv_export_is_one_row_with_sorted_dotted_headers(world, owner_client):
    insight_set_tags(make(world, "csv me", description="d"), ["b", "a"])
    response = owner_client.get(url(world.team), {"basic": "1", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    header, row = rows
    assert header == sorted(header)
    values = dict(zip(header, row, strict=True))
    assert values["count"] == "1"
    assert values["next"] == ""
    assert values["results.0.name"] == "csv me"
    assert values["results.0.tags.0"] == "b" and values["results.0.tags.1"] == "a"
    assert values["results.0.created_by.email"] == "owner@example.com"
    accept = owner_client.get(url(world.team), {"basic": "1"}, HTTP_ACCEPT="text/csv")
    assert accept["Content-Type"].startswith("text/csv")


def test_list_of_another_project_is_forbidden(world, outsider_client):
    make(world, "secret")
    response = outsider_client.get(url(world.team))
    assert response.status_code == 403


@pytest.mark.parametrize("value", ["-1m", "-24h", "2024-01-01T00:00:00Z"])
def test_list_date_filters_accept_every_date_form(world, owner_client, value):
    make(world, "any")
    Insight.objects.update(last_modified_at=datetime(2023, 6, 1, tzinfo=UTC))
    assert names(owner_client, world, date_to=value) == ["any"]


def test_list_search_without_trigrams_falls_back_to_every_word_as_substring(world, owner_client, monkeypatch):
    monkeypatch.setattr("insights.selectors.trigram_search_available", lambda: False)
    make(world, "user revenue")
    make(world, "Revenu forecast")
    make(world, "revenue user count")
    rows = owner_client.get(url(world.team), {"basic": "1", "search": "revenue user"}).json()["results"]
    assert [(row["name"], row["search_match_type"]) for row in rows] == [
        ("revenue user count", "exact"),
        ("user revenue", "similar"),
    ]
