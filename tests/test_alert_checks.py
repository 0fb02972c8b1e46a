"""Running alert checks against captured events (spec sharing-alerts-auth-activity §2.8): fire, resolve, error,
skip rules, scheduling and notifier hooks."""

from datetime import UTC, datetime, timedelta

import pytest

from alerts import checks, notifications
from alerts.checks import check_alert
from alerts.conditions import series_out_of_range_message
from alerts.models import AlertCheck, AlertConfiguration
from alerts.notifications import register_notifier
from insights.models import Insight
from tests.alerts_helpers import create_trends_alert
from tests.query_helpers import capture_events

DAILY_SIGNUPS = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "signed_up"}], "interval": "day"}


@pytest.fixture
def delivered(monkeypatch):
    """A notifier that records what it was given and 'delivers' to the subscribers' emails."""
    sent: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(notifications, "NOTIFIERS", [])

    def notifier(alert, check, breaches):
        sent.append((check.state, breaches))
        return {"users": alert.get_subscribed_users_emails()}

    register_notifier(notifier)
    return sent


@pytest.fixture
def yesterday_signups(world, clickhouse, client):
    noon = (datetime.now(UTC) - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    events = [("signed_up", f"user-{n}", {}, noon.isoformat()) for n in range(3)]
    capture_events(client, world.team, events)
    return Insight.objects.create(
        team=world.team, name="signups", query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS}
    )


def create_alert(client, team, insight, users, upper, **extra) -> AlertConfiguration:
    created = create_trends_alert(client, team, insight, upper, users, calculation_interval="daily", **extra)
    return AlertConfiguration.objects.get(id=created["id"])


def test_check_fires_then_resolves_after_the_threshold_changes(owner_client, world, yesterday_signups, delivered):
    alert = create_alert(owner_client, world.team, yesterday_signups, [world.owner, world.member], upper=2)
    check = check_alert(alert.id)
    assert (check.state, check.calculated_value, check.error) == ("Firing", 3, None)
    assert check.targets_notified == {"users": ["member@example.com", "owner@example.com"]}
    assert delivered == [
        ("Firing", ["The insight value (signed_up) for previous day (3) is more than upper threshold (2.0)"])
    ]
    alert.refresh_from_db()
    assert alert.state == "Firing" and not alert.is_calculating
    assert alert.last_notified_at is not None
    assert alert.next_check_at.hour == 1 and alert.next_check_at.date() == alert.last_checked_at.date() + timedelta(
        days=1
    )
    assert check_alert(alert.id) is None  # not due again until tomorrow

    patch = {"threshold": {"configuration": {"type": "absolute", "bounds": {"upper": 5}}}}
    owner_client.patch(f"/api/projects/{world.team.id}/alerts/{alert.id}/", patch, format="json")
    resolved = check_alert(alert.id)
    assert (resolved.state, resolved.calculated_value, resolved.targets_notified) == ("Not firing", 3, {})
    assert len(delivered) == 1
    alert.refresh_from_db()
    assert alert.state == "Not firing"
    listed = owner_client.get(f"/api/projects/{world.team.id}/alerts/{alert.id}/").json()
    assert [item["state"] for item in listed["checks"]] == ["Not firing", "Firing"]
    assert listed["last_value"] == 3


def test_check_errors_are_recorded_without_disabling(owner_client, world, yesterday_signups, delivered):
    alert = create_alert(owner_client, world.team, yesterday_signups, [world.owner], upper=2)
    AlertConfiguration.objects.filter(id=alert.id).update(config={"type": "TrendsAlertConfig", "series_index": 4})
    check = check_alert(alert.id)
    assert check.state == "Errored"
    assert check.error["message"] == series_out_of_range_message(4, 1)
    assert "Traceback" in check.error["traceback"]
    alert.refresh_from_db()
    assert (alert.state, alert.enabled, alert.is_calculating) == ("Errored", True, False)
    assert alert.next_check_at is not None
    assert delivered == [("Errored", [series_out_of_range_message(4, 1)])]


def test_unexpected_failures_are_logged_and_recorded(owner_client, world, yesterday_signups, monkeypatch, caplog):
    alert = create_alert(owner_client, world.team, yesterday_signups, [world.owner], upper=2)

    def broken(alert):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(checks, "evaluate_alert", broken)
    check = check_alert(alert.id)
    assert (check.state, check.error["message"]) == ("Errored", "engine exploded")
    assert "alert_check_crashed" in caplog.text


def test_disabled_snoozed_and_weekend_alerts_are_skipped(owner_client, world, yesterday_signups):
    alert = create_alert(owner_client, world.team, yesterday_signups, [world.owner], upper=2, skip_weekend=True)
    saturday = datetime(2024, 6, 8, 9, 0, tzinfo=UTC)
    assert check_alert(alert.id, now=saturday) is None
    alert.refresh_from_db()
    assert alert.next_check_at == datetime(2024, 6, 9, 1, 0, tzinfo=UTC)
    assert AlertCheck.objects.count() == 0

    AlertConfiguration.objects.filter(id=alert.id).update(
        next_check_at=None, state="Snoozed", snoozed_until=datetime.now(UTC) + timedelta(hours=1), skip_weekend=False
    )
    assert check_alert(alert.id) is None
    AlertConfiguration.objects.filter(id=alert.id).update(snoozed_until=datetime.now(UTC) - timedelta(minutes=1))
    expired = check_alert(alert.id)
    assert expired.state == "Firing"
    alert.refresh_from_db()
    assert alert.snoozed_until is None

    AlertConfiguration.objects.filter(id=alert.id).update(next_check_at=None, enabled=False)
    assert check_alert(alert.id) is None


def test_detector_alert_scores_the_last_completed_day(owner_client, world, clickhouse, client):
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    events = []
    for back in range(1, 40):
        day = today - timedelta(days=back)
        count = 30 if back == 1 else 5 + back % 2
        events += [("signed_up", f"u{back}-{n}", {}, day.isoformat()) for n in range(count)]
    capture_events(client, world.team, events)
    insight = Insight.objects.create(team=world.team, query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS})
    alert = create_alert(
        owner_client, world.team, insight, [world.owner], upper=None, threshold={},
        detector_config={"type": "zscore", "window": 20, "threshold": 0.99},
    )  # fmt: skip
    check = check_alert(alert.id)
    assert (check.state, check.calculated_value, check.interval) == ("Firing", 30, "day")
    assert check.triggered_points[-1] == len(check.anomaly_scores) - 1
    assert check.triggered_dates[-1] == (today - timedelta(days=1)).strftime("%Y-%m-%d")
    listed = owner_client.get(f"/api/projects/{world.team.id}/alerts/").json()["results"][0]
    assert [item["id"] for item in listed["checks"]] == [str(check.id)]


def make_alert(world, insight, **fields) -> AlertConfiguration:
    return AlertConfiguration.objects.create(team=world.team, insight=insight, config={}, **fields)


def test_due_alerts_are_ordered_never_checked_first_then_short_intervals(world):
    from alerts.selectors import alerts_due

    insight = Insight.objects.create(team=world.team, query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS})
    now = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
    daily_old = make_alert(world, insight, calculation_interval="daily", next_check_at=now - timedelta(hours=3))
    hourly = make_alert(world, insight, calculation_interval="hourly", next_check_at=now - timedelta(hours=1))
    weekly_new = make_alert(world, insight, calculation_interval="weekly")
    make_alert(world, insight, calculation_interval="hourly", next_check_at=now + timedelta(minutes=1))
    make_alert(world, insight, calculation_interval="hourly", enabled=False)
    make_alert(world, insight, calculation_interval="hourly", is_calculating=True)
    make_alert(world, insight, calculation_interval="hourly", snoozed_until=now + timedelta(hours=1))
    assert [alert.id for alert in alerts_due(now)] == [hourly.id, daily_old.id, weekly_new.id]


def test_stuck_checks_are_reset_after_45_minutes(world):
    from alerts.services import alerts_reset_stuck

    insight = Insight.objects.create(team=world.team, query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS})
    now = datetime.now(UTC)
    stuck = make_alert(world, insight, is_calculating=True, last_checked_at=now - timedelta(minutes=50))
    running = make_alert(world, insight, is_calculating=True, last_checked_at=now - timedelta(minutes=10))
    assert alerts_reset_stuck(now) == 1
    stuck.refresh_from_db(), running.refresh_from_db()
    assert (stuck.is_calculating, running.is_calculating) == (False, True)


def test_firing_checks_email_subscribed_members(owner_client, world, yesterday_signups, settings, mailoutbox):
    settings.ALERTS_EMAIL_ENABLED = True
    alert = create_alert(owner_client, world.team, yesterday_signups, [world.owner, world.member], upper=2)
    check = check_alert(alert.id)
    assert sorted(message.to[0] for message in mailoutbox) == ["member@example.com", "owner@example.com"]
    message = mailoutbox[0]
    assert message.subject == "PostHog alert signups is firing"
    assert "The insight value (signed_up) for previous day (3) is more than upper threshold (2.0)" in message.body
    assert f"/project/{world.team.id}/insights/{yesterday_signups.short_id}?alert_id={alert.id}" in message.body
    assert check.targets_notified == {"users": ["member@example.com", "owner@example.com"]}


def test_email_is_off_unless_enabled(owner_client, world, yesterday_signups, mailoutbox):
    alert = create_alert(owner_client, world.team, yesterday_signups, [world.owner], upper=2)
    check = check_alert(alert.id)
    assert (check.state, check.targets_notified, mailoutbox) == ("Firing", {}, [])


def test_a_failing_notification_rolls_the_check_back(owner_client, world, yesterday_signups, monkeypatch):
    alert = create_alert(owner_client, world.team, yesterday_signups, [world.owner], upper=2)

    def failing(alert, check, breaches):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notifications, "NOTIFIERS", [failing])
    with pytest.raises(ConnectionError):
        check_alert(alert.id)
    alert.refresh_from_db()
    assert AlertCheck.objects.count() == 0
    assert (alert.next_check_at, alert.is_calculating, alert.state) == (None, False, "Not firing")


def test_due_checks_run_and_one_failure_does_not_stop_the_rest(owner_client, world, yesterday_signups, monkeypatch):
    alert = create_alert(owner_client, world.team, yesterday_signups, [world.owner], upper=2)
    broken = create_alert(owner_client, world.team, yesterday_signups, [world.owner], upper=2)
    real_check = checks.check_alert

    def check_or_fail(alert_id):
        if str(alert_id) == str(broken.id):
            raise ConnectionError("smtp down")
        return real_check(alert_id)

    monkeypatch.setattr(checks, "check_alert", check_or_fail)
    assert checks.alerts_check_due() == 1
    assert list(AlertCheck.objects.values_list("alert_configuration_id", "state")) == [(alert.id, "Firing")]
