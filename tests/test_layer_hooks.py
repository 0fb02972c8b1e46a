"""The hooks through which lower layers ask higher ones (insights -> dashboards, activity -> insights, core ->
dashboards): what dashboards and insights register, and the safe defaults when nothing is registered.
"""

import pytest
from django.db.models import Q
from rest_framework import serializers

from activity.created_items import created_items_by_scope
from dashboards.filters import effective_dashboard_filters
from dashboards.insight_hooks import InsightDashboardHooks
from insights import dashboard_hooks
from insights.models import Insight
from insights.selectors import insight_ids_created_by
from insights_server import primary_dashboard


def test_apps_register_their_hooks():
    assert isinstance(dashboard_hooks.dashboard_hooks(), InsightDashboardHooks)
    assert created_items_by_scope() == {"Insight": insight_ids_created_by}


@pytest.mark.parametrize(
    ("filters_override", "tile_filters_override"),
    [
        (None, None),
        ({"date_from": "-7d", "interval": None}, None),
        ({"date_from": "-7d"}, {"date_from": "-30d"}),
        ({"date_from": "-7d"}, {"date_to": None}),
    ],
)
def test_default_effective_filters_are_dashboards_answer_without_a_dashboard(filters_override, tile_filters_override):
    default = dashboard_hooks.DashboardHooks()
    expected = effective_dashboard_filters(
        None, filters_override=filters_override, tile_filters_override=tile_filters_override
    )
    assert default.effective_filters(None, None, filters_override, tile_filters_override) == expected


def test_default_dashboard_hooks_answer_no_dashboards(world):
    default = dashboard_hooks.DashboardHooks()
    insight = Insight.objects.create(team=world.team, name="i", created_by=world.owner)
    assert default.render_prefetches() == ()
    assert default.tiles(insight) == []
    assert default.access_levels(world.member, insight) == (21, 37)
    assert default.can_edit(world.member, insight) is True
    assert default.resolve(world.team, []) == []
    with pytest.raises(serializers.ValidationError) as error:
        default.resolve(world.team, [7, 8])
    assert error.value.detail == ['Invalid pk "7" - object does not exist.']
    assert default.update(insight, world.owner, deleted=False, requested=[]) is None
    assert list(Insight.objects.filter(default.on_dashboard(1))) == []
    # "Matches nothing" must leave an OR with another condition intact (the list's `saved` filter).
    assert list(Insight.objects.filter(default.on_listed_dashboard() | Q(pk=insight.pk))) == [insight]


def test_primary_dashboard_without_a_registered_validator_refuses_every_id(world, monkeypatch):
    monkeypatch.setattr(primary_dashboard, "_registered", {})
    assert primary_dashboard.validate_primary_dashboard(world.team, None) is None
    with pytest.raises(serializers.ValidationError) as error:
        primary_dashboard.validate_primary_dashboard(world.team, 3)
    assert error.value.detail == ['Invalid pk "3" - object does not exist.']


def test_trending_days_beyond_a_century_is_400(world, owner_client):
    response = owner_client.get(f"/api/projects/{world.team.id}/insights/trending/", {"days": "99999999999"})
    assert response.status_code == 400
    assert response.json()["detail"] == "days and limit must be valid integers"


@pytest.mark.parametrize(("page", "detail"), [("0", "greater than or equal to 1"), ("x", "A valid integer")])
def test_activity_page_must_be_a_positive_integer(world, owner_client, page, detail):
    response = owner_client.get(f"/api/projects/{world.team.id}/insights/activity/", {"page": page})
    assert response.status_code == 400
    assert response.json()["attr"] == "page" and detail in response.json()["detail"]
