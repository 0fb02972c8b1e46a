"""The alerts API as a client sees it (spec sharing-alerts-auth-activity §2.3-2.6, §2.12): shapes, validation
messages, update side effects, checks paging, thresholds, scopes and cross-project 404s."""

from datetime import UTC, datetime, timedelta

# pandas must be imported before any clock is frozen: freezegun's first start touches clickhouse_connect's lazy
# `pandas` attribute, and importing pandas 3 under a fake clock crashes the interpreter (segfault).
import pandas  # noqa: F401
import pytest
from freezegun import freeze_time

from activity.models import ActivityLog
from alerts.api.serializers import (
    AGENT_NEEDS_DETECTOR,
    GATING_NEEDS_AGENT,
    INSIGHT_NOT_IN_TEAM,
    INSIGHT_NOT_SUPPORTED,
    INSIGHT_REQUIRED,
    SNOOZE_NOT_STRING,
    USER_NOT_IN_ORGANIZATION,
)
from alerts.conditions import ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD, series_out_of_range_message
from alerts.detectors.config import ENSEMBLE_NEEDS_TWO, INVALID_DETECTOR_CONFIG, range_message
from alerts.models import LOWER_ABOVE_UPPER, AlertCheck, AlertConfiguration, AlertSubscription
from alerts.schedule import INVALID_SCHEDULE_RESTRICTION
from alerts.selectors import INVALID_CREATED_BY, SEARCH_TOO_LONG
from alerts.services import alert_checks_delete_expired, alert_limit_message
from alerts.validation import (
    invalid_condition_message,
    invalid_interval_message,
    ongoing_needs_upper_message,
    unsupported_config_message,
)
from insights.models import Insight
from tests.conftest import key_client

TRENDS = {
    "kind": "TrendsQuery",
    "series": [{"kind": "EventsNode", "event": "signed_up"}, {"kind": "EventsNode", "event": "$pageview"}],
    "interval": "week",
}
ALERT_FIELDS = [
    "id",
    "created_by",
    "created_at",
    "insight",
    "name",
    "subscribed_users",
    "threshold",
    "condition",
    "state",
    "enabled",
    "last_notified_at",
    "last_checked_at",
    "next_check_at",
    "config",
    "detector_config",
    "calculation_interval",
    "snoozed_until",
    "skip_weekend",
    "schedule_restriction",
    "last_value",
    "investigation_agent_enabled",
    "investigation_gates_notifications",
    "investigation_inconclusive_action",
    "webhooks",  # beyond PostHog: the alert's webhook destinations (secrets never shown)
]


def url(team_id: int, suffix: str = "", prefix: str = "projects") -> str:
    return f"/api/{prefix}/{team_id}/alerts/{suffix}"


def make_insight(team, query=None, **fields) -> Insight:
    return Insight.objects.create(
        team=team, name="signups", query=query or {"kind": "InsightVizNode", "source": TRENDS}, **fields
    )


def body(insight, users, **overrides) -> dict:
    payload = {
        "name": "alert name",
        "insight": insight.id,
        "subscribed_users": [user.id for user in users],
        "config": {"type": "TrendsAlertConfig", "series_index": 0},
        "condition": {"type": "absolute_value"},
        "calculation_interval": "daily",
        "threshold": {"configuration": {"type": "absolute", "bounds": {"lower": 1, "upper": 10}}},
    }
    payload.update(overrides)
    return payload


def create(client, team_id, payload, prefix="projects") -> dict:
    response = client.post(url(team_id, prefix=prefix), payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def error(response) -> tuple[int, str | None, str]:
    data = response.json()
    return response.status_code, data.get("attr"), data.get("detail")


@pytest.fixture
def insight(world):
    return make_insight(world.team)


# ---- create, retrieve, list -------------------------------------------------------------------------------


def test_create_alert_renders_posthog_shape_and_ignores_state(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner], state="Firing"))
    assert list(alert) == ALERT_FIELDS
    assert alert["state"] == "Not firing"
    assert alert["insight"]["id"] == insight.id and alert["insight"]["short_id"] == insight.short_id
    assert [user["email"] for user in alert["subscribed_users"]] == ["owner@example.com"]
    assert alert["created_by"]["email"] == "owner@example.com"
    assert alert["threshold"]["configuration"] == {"type": "absolute", "bounds": {"lower": 1, "upper": 10}}
    assert alert["threshold"]["name"] == ""
    assert (alert["next_check_at"], alert["last_value"], alert["skip_weekend"]) == (None, None, False)
    assert alert["investigation_inconclusive_action"] == "notify"
    stored = AlertConfiguration.objects.get(id=alert["id"])
    assert stored.team_id == world.team.id and stored.threshold.insight_id == insight.id


def test_environments_prefix_serves_the_same_alerts(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]), prefix="environments")
    response = owner_client.get(url(world.team.id, alert["id"]))
    assert response.status_code == 200
    listed = owner_client.get(url(world.team.id, prefix="environments")).json()
    assert [item["id"] for item in listed["results"]] == [alert["id"]]


def test_retrieve_pages_checks_newest_first(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    stored = AlertConfiguration.objects.get(id=alert["id"])
    start = datetime(2024, 6, 1, tzinfo=UTC)
    for day in range(8):
        with freeze_time(start + timedelta(days=day)):
            AlertCheck.objects.create(alert_configuration=stored, calculated_value=day, state="Not firing")
    with freeze_time(start + timedelta(days=8)):
        default = owner_client.get(url(world.team.id, alert["id"])).json()
        assert [check["calculated_value"] for check in default["checks"]] == [7, 6, 5, 4, 3]
        assert default["checks_total"] == 8 and default["last_value"] == 7
        assert default["checks"][0]["targets_notified"] is False
        paged = owner_client.get(url(world.team.id, alert["id"]), {"checks_limit": 2, "checks_offset": 5}).json()
        assert [check["calculated_value"] for check in paged["checks"]] == [2, 1]
        recent = owner_client.get(url(world.team.id, alert["id"]), {"checks_date_from": "-3d"}).json()
        assert [check["calculated_value"] for check in recent["checks"]] == [7, 6, 5]
        assert recent["checks_total"] == 3
        odd = owner_client.get(url(world.team.id, alert["id"]), {"checks_limit": "x", "checks_offset": -4}).json()
        assert len(odd["checks"]) == 5


def test_list_filters_and_anomaly_checks(owner_client, world, insight):
    other = make_insight(world.team)
    first = create(owner_client, world.team.id, body(insight, [world.owner], name="Signups low"))
    second = create(owner_client, world.team.id, body(other, [world.owner], name="Pageviews"))
    stored = AlertConfiguration.objects.get(id=first["id"])
    AlertCheck.objects.create(alert_configuration=stored, state="Firing", triggered_points=[3], calculated_value=4)
    AlertCheck.objects.create(alert_configuration=stored, state="Not firing", calculated_value=1)
    listed = owner_client.get(url(world.team.id)).json()
    assert listed["count"] == 2
    assert [item["id"] for item in listed["results"]] == [second["id"], first["id"]]
    assert [check["triggered_points"] for check in listed["results"][1]["checks"]] == [[3]]
    assert "checks_total" not in listed["results"][1]
    assert listed["results"][1]["last_value"] == 1
    by_insight = owner_client.get(url(world.team.id), {"insight": insight.id}).json()["results"]
    assert [item["id"] for item in by_insight] == [first["id"]]
    by_search = owner_client.get(url(world.team.id), {"search": "SIGNUPS"}).json()["results"]
    assert [item["id"] for item in by_search] == [first["id"]]
    by_creator = owner_client.get(url(world.team.id), {"created_by": str(world.member.uuid)}).json()
    assert by_creator["count"] == 0
    assert error(owner_client.get(url(world.team.id), {"search": "x" * 201})) == (400, "search", SEARCH_TOO_LONG)
    assert error(owner_client.get(url(world.team.id), {"created_by": "nope"})) == (
        400,
        "created_by",
        INVALID_CREATED_BY,
    )


# ---- tenancy ----------------------------------------------------------------------------------------------


def test_other_projects_alerts_are_404_and_their_insights_refused(owner_client, outsider_client, world, insight):
    foreign_insight = make_insight(world.other_team)
    foreign = create(outsider_client, world.other_team.id, body(foreign_insight, [world.outsider]))
    assert owner_client.get(url(world.team.id, foreign["id"])).status_code == 404
    assert owner_client.patch(url(world.team.id, foreign["id"]), {"name": "x"}, format="json").status_code == 404
    assert owner_client.delete(url(world.team.id, foreign["id"])).status_code == 404
    assert owner_client.get(url(world.team.id, "not-a-uuid")).status_code == 404
    assert owner_client.get(url(world.team.id)).json()["count"] == 0
    assert outsider_client.get(url(world.team.id)).status_code == 403
    response = owner_client.post(url(world.team.id), body(foreign_insight, [world.owner]), format="json")
    assert error(response) == (400, "insight", INSIGHT_NOT_IN_TEAM)
    thresholds = f"/api/projects/{world.team.id}/insights/{foreign_insight.id}/thresholds/"
    assert owner_client.get(thresholds).status_code == 404


def test_subscribers_must_be_members(owner_client, world, insight):
    response = owner_client.post(url(world.team.id), body(insight, [world.outsider]), format="json")
    assert error(response) == (400, "subscribed_users", USER_NOT_IN_ORGANIZATION)


# ---- validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "attr", "detail"),
    [
        ({"calculation_interval": "yearly"}, None, invalid_interval_message("yearly")),
        ({"condition": {"type": "nope"}}, None, invalid_condition_message({"type": "nope"})),
        ({"config": None}, None, unsupported_config_message(None)),
        (
            {"config": {"type": "TrendsAlertConfig", "series_index": 2}},
            None,
            series_out_of_range_message(2, 2),
        ),
        (
            {"threshold": {"configuration": {"type": "percentage", "bounds": {"upper": 0.5}}}},
            None,
            ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD,
        ),
        (
            {"threshold": {"configuration": {"type": "absolute", "bounds": {"lower": 5, "upper": 1}}}},
            "threshold",
            LOWER_ABOVE_UPPER,
        ),
        (
            {
                "config": {"type": "TrendsAlertConfig", "series_index": 0, "check_ongoing_interval": True},
                "threshold": {"configuration": {"type": "absolute", "bounds": {"lower": 1}}},
            },
            None,
            ongoing_needs_upper_message("absolute_value"),
        ),
        ({"snoozed_until": 5}, "snoozed_until", SNOOZE_NOT_STRING),
        (
            {"schedule_restriction": {"blocked_windows": [{"start": "10:00", "end": "10:10"}]}},
            "schedule_restriction",
            INVALID_SCHEDULE_RESTRICTION,
        ),
        ({"detector_config": {"type": "unknown"}}, "detector_config", INVALID_DETECTOR_CONFIG),
        ({"detector_config": {"type": "zscore", "window": 2}}, "detector_config", range_message("window")),
        (
            {"detector_config": {"type": "ensemble", "detectors": [{"type": "mad"}]}},
            "detector_config",
            ENSEMBLE_NEEDS_TWO,
        ),
        ({"investigation_agent_enabled": True}, "investigation_agent_enabled", AGENT_NEEDS_DETECTOR),
        (
            {"detector_config": {"type": "zscore"}, "investigation_gates_notifications": True},
            "investigation_gates_notifications",
            GATING_NEEDS_AGENT,
        ),
        ({"insight": None}, "insight", INSIGHT_REQUIRED),
    ],
)
def test_create_rejects_invalid_settings_with_posthogs_messages(owner_client, world, insight, overrides, attr, detail):
    payload = {**body(insight, [world.owner]), **overrides}
    if "insight" in overrides:
        del payload["insight"]
    assert error(owner_client.post(url(world.team.id), payload, format="json")) == (400, attr, detail)
    assert AlertConfiguration.objects.count() == 0


def test_unsupported_insights_are_refused(owner_client, world):
    retention = make_insight(world.team, query={"kind": "RetentionQuery", "retentionFilter": {}})
    response = owner_client.post(url(world.team.id), body(retention, [world.owner]), format="json")
    assert error(response) == (400, "insight", INSIGHT_NOT_SUPPORTED)


def test_funnel_and_sql_insights_take_their_own_configs(owner_client, world):
    funnel = make_insight(
        world.team,
        query={
            "kind": "FunnelsQuery",
            "series": [{"kind": "EventsNode", "event": "a"}, {"kind": "EventsNode", "event": "b"}],
        },
    )
    created = create(owner_client, world.team.id, body(funnel, [world.owner], config={"type": "FunnelsAlertConfig"}))
    assert created["config"] == {"type": "FunnelsAlertConfig"}
    wrong = owner_client.post(url(world.team.id), body(funnel, [world.owner]), format="json")
    assert error(wrong) == (400, None, unsupported_config_message({"type": "TrendsAlertConfig", "series_index": 0}))
    sql = make_insight(
        world.team, query={"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": "select 1 as n"}}
    )
    config = {"type": "HogQLAlertConfig", "value_column": "n"}
    assert create(owner_client, world.team.id, body(sql, [world.owner], config=config))["config"] == config


def test_alert_count_limit_is_a_setting(owner_client, world, insight, settings):
    settings.ALERTS_MAX_PER_TEAM = 1
    create(owner_client, world.team.id, body(insight, [world.owner]))
    response = owner_client.post(url(world.team.id), body(insight, [world.owner]), format="json")
    assert error(response) == (400, "alert", alert_limit_message(1))


# ---- updates ----------------------------------------------------------------------------------------------


def firing(alert_id: str) -> AlertConfiguration:
    stored = AlertConfiguration.objects.get(id=alert_id)
    stored.state, stored.next_check_at = "Firing", datetime(2030, 1, 1, tzinfo=UTC)
    stored.save()
    return stored


def test_threshold_change_resets_state_and_rechecks(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    firing(alert["id"])
    same = {"threshold": {"configuration": {"type": "absolute", "bounds": {"lower": 1, "upper": 10}}}}
    assert owner_client.patch(url(world.team.id, alert["id"]), same, format="json").json()["state"] == "Firing"
    changed = {"threshold": {"configuration": {"type": "absolute", "bounds": {"upper": 3}}}}
    response = owner_client.patch(url(world.team.id, alert["id"]), changed, format="json").json()
    assert (response["state"], response["next_check_at"]) == ("Not firing", None)
    assert response["threshold"]["id"] == alert["threshold"]["id"]  # updated in place
    assert "checks" not in response
    logged = ActivityLog.objects.filter(item_id=alert["id"], detail__type="threshold_change").get()
    assert logged.detail["changes"][0]["after"] == {"type": "absolute", "bounds": {"upper": 3}}


def test_interval_change_rechecks_without_reset_and_null_interval_is_refused(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    firing(alert["id"])
    response = owner_client.patch(url(world.team.id, alert["id"]), {"calculation_interval": "hourly"}, format="json")
    assert (response.json()["state"], response.json()["next_check_at"]) == ("Firing", None)
    refused = owner_client.patch(url(world.team.id, alert["id"]), {"calculation_interval": None}, format="json")
    assert error(refused) == (400, None, invalid_interval_message(None))


def test_threshold_detach_with_empty_object(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    response = owner_client.patch(url(world.team.id, alert["id"]), {"threshold": {}}, format="json").json()
    assert response["threshold"] is None


@freeze_time("2024-06-03T14:00:00Z")
def test_schedule_restriction_snaps_next_check_out_of_quiet_hours(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner], calculation_interval="hourly"))
    restriction = {"blocked_windows": [{"start": "15:00", "end": "16:00"}, {"start": "11:00", "end": "15:30"}]}
    response = owner_client.patch(url(world.team.id, alert["id"]), {"schedule_restriction": restriction}, format="json")
    assert response.json()["schedule_restriction"] == {"blocked_windows": [{"start": "11:00", "end": "16:00"}]}
    assert response.json()["next_check_at"] == "2024-06-03T16:00:00Z"
    emptied = owner_client.patch(url(world.team.id, alert["id"]), {"schedule_restriction": {}}, format="json")
    assert emptied.json()["schedule_restriction"] is None
    bad = {"schedule_restriction": {"blocked_windows": [{"start": "00:00", "end": "00:00"}]}}
    assert owner_client.patch(url(world.team.id, alert["id"]), bad, format="json").status_code == 400
    assert AlertConfiguration.objects.get(id=alert["id"]).schedule_restriction is None


@freeze_time("2024-06-03T14:20:00Z")
def test_snooze_and_unsnooze_record_checks(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    snoozed = owner_client.patch(url(world.team.id, alert["id"]), {"snoozed_until": "2h"}, format="json").json()
    assert (snoozed["state"], snoozed["snoozed_until"]) == ("Snoozed", "2024-06-03T17:00:00Z")
    absolute = owner_client.patch(
        url(world.team.id, alert["id"]), {"snoozed_until": "2024-06-05T10:00:00Z"}, format="json"
    ).json()
    assert absolute["snoozed_until"] == "2024-06-05T10:00:00Z"
    woken = owner_client.patch(url(world.team.id, alert["id"]), {"snoozed_until": None}, format="json").json()
    assert (woken["state"], woken["snoozed_until"]) == ("Not firing", None)
    checks = AlertCheck.objects.filter(alert_configuration_id=alert["id"]).order_by("created_at", "id")
    assert sorted(checks.values_list("state", flat=True)) == ["Not firing", "Snoozed", "Snoozed"]
    assert all(check.calculated_value is None for check in checks)


def test_disabling_forces_not_firing_and_subscribers_are_replaced(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    firing(alert["id"])
    patch = {"enabled": False, "subscribed_users": [world.member.id]}
    response = owner_client.patch(url(world.team.id, alert["id"]), patch, format="json").json()
    assert (response["enabled"], response["state"]) == (False, "Not firing")
    assert [user["email"] for user in response["subscribed_users"]] == ["member@example.com"]
    assert list(AlertSubscription.objects.values_list("user_id", flat=True)) == [world.member.id]
    changes = ActivityLog.objects.filter(item_id=alert["id"], detail__type="alert_subscription_change")
    assert sorted((entry.activity, entry.detail["context"]["subscriber_email"]) for entry in changes) == [
        ("created", "member@example.com"),
        ("created", "owner@example.com"),
        ("deleted", "owner@example.com"),
    ]


def test_delete_removes_alert_and_checks_and_logs_activity(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    owner_client.patch(url(world.team.id, alert["id"]), {"name": "renamed"}, format="json")
    AlertCheck.objects.create(alert_configuration_id=alert["id"], state="Not firing")
    assert owner_client.delete(url(world.team.id, alert["id"])).status_code == 204
    assert owner_client.get(url(world.team.id, alert["id"])).status_code == 404
    assert AlertCheck.objects.count() == 0
    entries = ActivityLog.objects.filter(scope="AlertConfiguration", item_id=alert["id"]).order_by("created_at")
    assert [(entry.activity, entry.detail.get("type")) for entry in entries] == [
        ("created", None),
        ("created", "alert_subscription_change"),
        ("updated", None),
        ("deleted", None),
    ]
    assert entries[1].detail["context"]["subscriber_email"] == "owner@example.com"
    updated = entries[2].detail
    assert updated["name"] == "renamed"
    assert updated["changes"] == [
        {"type": "AlertConfiguration", "action": "changed", "field": "name", "before": "alert name", "after": "renamed"}
    ]
    assert updated["context"]["insight_short_id"] == insight.short_id


def test_alerts_of_deleted_insights_are_gone(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    Insight.objects.filter(id=insight.id).update(deleted=True)
    assert owner_client.get(url(world.team.id, alert["id"])).status_code == 404


# ---- thresholds -------------------------------------------------------------------------------------------


def test_insight_thresholds_list_and_retrieve_with_alerts(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    base = f"/api/projects/{world.team.id}/insights/{insight.id}/thresholds/"
    listed = owner_client.get(base).json()
    assert listed["count"] == 1
    threshold = listed["results"][0]
    assert list(threshold) == ["id", "created_at", "name", "configuration", "alerts"]
    assert [item["id"] for item in threshold["alerts"]] == [alert["id"]]
    assert owner_client.get(f"{base}{threshold['id']}").json()["id"] == threshold["id"]
    other = make_insight(world.team)
    assert (
        owner_client.get(f"/api/projects/{world.team.id}/insights/{other.id}/thresholds/{threshold['id']}/").status_code
        == 404
    )


# ---- API keys ---------------------------------------------------------------------------------------------


def test_alert_scopes(world, insight):
    reader = key_client(world.owner, ["alert:read"])
    assert reader.get(url(world.team.id)).status_code == 200
    response = reader.post(url(world.team.id), body(insight, [world.owner]), format="json")
    assert (response.status_code, response.json()["detail"]) == (403, "API key missing required scope 'alert:write'")
    writer = key_client(world.owner, ["alert:write"])
    assert writer.post(url(world.team.id), body(insight, [world.owner]), format="json").status_code == 201
    insights_only = key_client(world.owner, ["insight:read"])
    assert insights_only.get(url(world.team.id)).status_code == 403


# ---- retention --------------------------------------------------------------------------------------------


def test_checks_older_than_14_days_are_deleted(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    with freeze_time("2024-06-01T00:00:00Z"):
        AlertCheck.objects.create(alert_configuration_id=alert["id"], state="Not firing")
    with freeze_time("2024-06-10T00:00:00Z"):
        kept = AlertCheck.objects.create(alert_configuration_id=alert["id"], state="Not firing")
    assert alert_checks_delete_expired(datetime(2024, 6, 16, tzinfo=UTC)) == 1
    assert list(AlertCheck.objects.values_list("id", flat=True)) == [kept.id]


# ---- simulate ---------------------------------------------------------------------------------------------

DAILY_SIGNUPS = {
    "kind": "TrendsQuery",
    "series": [{"kind": "EventsNode", "event": "signed_up"}],
    "interval": "day",
    "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-31"},
}


@pytest.fixture
def spiky_insight(world, clickhouse, client):
    from tests.query_helpers import capture_events

    events = [
        ("signed_up", f"user-{day}-{n}", {}, f"2024-01-{day:02d}T12:00:00Z")
        for day in range(1, 32)
        for n in range(40 if day == 31 else 10 + day % 3)
    ]
    capture_events(client, world.team, events)
    return make_insight(world.team, query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS})


def test_simulate_backtests_a_detector_without_writing_checks(owner_client, world, spiky_insight):
    payload = {"insight": spiky_insight.id, "detector_config": {"type": "zscore", "window": 10, "threshold": 0.99}}
    response = owner_client.post(url(world.team.id, "simulate"), payload, format="json")
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["data"][:4] == [11.0, 12.0, 10.0, 11.0] and result["data"][-1] == 40.0
    assert (result["total_points"], result["interval"]) == (31, "day")
    assert len(result["scores"]) == 31 and result["scores"][:10] == [None] * 10
    assert result["triggered_indices"] == [30]
    assert result["triggered_dates"] == [result["dates"][30]]
    assert result["anomaly_count"] == 1
    assert AlertCheck.objects.count() == 0 and AlertConfiguration.objects.count() == 0


def test_simulate_ensemble_reports_sub_detector_scores(world, spiky_insight):
    reader = key_client(world.owner, ["alert:read"])
    detectors = [{"type": "mad", "window": 10}, {"type": "threshold", "upper_bound": 30}]
    payload = {
        "insight": spiky_insight.id,
        "detector_config": {"type": "ensemble", "operator": "and", "detectors": detectors},
    }
    result = reader.post(url(world.team.id, "simulate"), payload, format="json").json()
    assert result["triggered_indices"] == [30]
    assert set(result["sub_detector_scores"]) == {"mad_0", "threshold_1"}


def test_simulate_rejects_missing_or_invalid_detector(owner_client, world, insight):
    missing = owner_client.post(url(world.team.id, "simulate"), {"insight": insight.id}, format="json")
    assert error(missing)[:2] == (400, "detector_config")
    invalid = {"insight": insight.id, "detector_config": {"type": "zscore", "threshold": 3}}
    assert error(owner_client.post(url(world.team.id, "simulate"), invalid, format="json")) == (
        400,
        "detector_config",
        range_message("threshold"),
    )


# ---- insight lifecycle ------------------------------------------------------------------------------------


def test_alerts_are_deleted_when_the_insight_stops_supporting_them(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    response = owner_client.patch(
        f"/api/projects/{world.team.id}/insights/{insight.id}/",
        {"query": {"kind": "InsightVizNode", "source": {"kind": "RetentionQuery", "retentionFilter": {}}}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert not AlertConfiguration.objects.filter(id=alert["id"]).exists()


def test_alerts_are_deleted_when_the_insight_is_soft_deleted(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    other = create(owner_client, world.team.id, body(make_insight(world.team), [world.owner]))
    owner_client.patch(f"/api/projects/{world.team.id}/insights/{insight.id}/", {"deleted": True}, format="json")
    assert list(AlertConfiguration.objects.values_list("id", flat=True)) == [
        AlertConfiguration.objects.get(id=other["id"]).id
    ]
    assert owner_client.get(url(world.team.id, alert["id"])).status_code == 404


def test_full_insight_lists_its_alerts(owner_client, world, insight, clickhouse):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    shown = owner_client.get(f"/api/projects/{world.team.id}/insights/{insight.id}/").json()
    assert [item["id"] for item in shown["alerts"]] == [alert["id"]]
    assert "checks" not in shown["alerts"][0]
    assert shown["alerts"][0]["threshold"] == alert["threshold"]
    other = make_insight(world.team)
    assert owner_client.get(f"/api/projects/{world.team.id}/insights/{other.id}/").json()["alerts"] == []


def test_listing_alerts_costs_the_same_queries_for_two_or_six(owner_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(url(world.team.id)).status_code == 200
        return len(captured)

    for _ in range(2):
        create(owner_client, world.team.id, body(make_insight(world.team), [world.owner, world.member]))
    few = count_queries()
    for _ in range(4):
        create(owner_client, world.team.id, body(make_insight(world.team), [world.owner, world.member]))
    assert count_queries() == few


def test_put_replaces_the_alert(owner_client, world, insight):
    alert = create(owner_client, world.team.id, body(insight, [world.owner]))
    replaced = body(insight, [world.member], name="replaced", calculation_interval="weekly")
    response = owner_client.put(url(world.team.id, alert["id"]), replaced, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["calculation_interval"]) == ("replaced", "weekly")
    assert [user["id"] for user in response.json()["subscribed_users"]] == [world.member.id]


def test_simulate_scores_each_breakdown_value(owner_client, world, clickhouse, client):
    from tests.query_helpers import capture_events

    events = [
        ("signed_up", f"u-{browser}-{day}-{n}", {"$browser": browser}, f"2024-01-{day:02d}T12:00:00Z")
        for browser, spike in (("Chrome", False), ("Safari", True))
        for day in range(1, 32)
        for n in range(30 if spike and day == 31 else 5 + day % 2)
    ]
    capture_events(client, world.team, events)
    source = {**DAILY_SIGNUPS, "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"}}
    insight = make_insight(world.team, query={"kind": "InsightVizNode", "source": source})
    payload = {"insight": insight.id, "detector_config": {"type": "mad", "window": 10}}
    result = owner_client.post(url(world.team.id, "simulate"), payload, format="json").json()
    by_value = {item["breakdown_value"]: item for item in result["breakdown_results"]}
    assert set(by_value) == {"Chrome", "Safari"}
    assert 30 in by_value["Safari"]["triggered_indices"] and 30 not in by_value["Chrome"]["triggered_indices"]
    assert result["data"] == result["breakdown_results"][0]["data"]


def test_interval_gates_are_settings(owner_client, world, insight, settings):
    from alerts.api.serializers import FIFTEEN_MINUTES_NOT_ALLOWED, REAL_TIME_NOT_ALLOWED, real_time_limit_message

    settings.ALERTS_MAX_REAL_TIME_PER_TEAM = 1
    realtime = create(owner_client, world.team.id, body(insight, [world.owner], calculation_interval="real_time"))
    second = owner_client.post(
        url(world.team.id), body(insight, [world.owner], calculation_interval="real_time"), format="json"
    )
    assert error(second) == (400, "calculation_interval", real_time_limit_message(1))
    same = owner_client.patch(url(world.team.id, realtime["id"]), {"calculation_interval": "real_time"}, format="json")
    assert same.status_code == 200
    settings.ALERTS_ALLOW_EVERY_15_MINUTES = False
    settings.ALERTS_ALLOW_REAL_TIME = False
    quarter = body(insight, [world.owner], calculation_interval="every_15_minutes")
    assert error(owner_client.post(url(world.team.id), quarter, format="json")) == (
        400,
        "calculation_interval",
        FIFTEEN_MINUTES_NOT_ALLOWED,
    )
    assert (
        error(
            owner_client.patch(url(world.team.id, realtime["id"]), {"calculation_interval": "real_time"}, format="json")
        )[2]
        == REAL_TIME_NOT_ALLOWED
    )
