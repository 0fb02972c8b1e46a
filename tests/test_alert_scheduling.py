"""Alert checks under faults and concurrency, and the schedulers that run them: two concurrent schedulers check an
alert once, a ClickHouse outage gives an Errored check and the next one succeeds, the periodic jobs are the same
for Celery beat and the in-process scheduler, and a `make serve`-style server checks a due alert by itself."""

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from clickhouse_connect.driver.exceptions import OperationalError
from django.db import connection
from freezegun import freeze_time

from alerts.checks import alerts_check_due, check_alert
from alerts.models import AlertCheck, AlertConfiguration
from config import periodic
from config.scheduler import Scheduler
from insights.models import Insight
from queries.clickhouse import client as clickhouse_client
from queries.clickhouse.errors import ClickHouseUnavailable
from tests.alerts_helpers import create_trends_alert
from tests.query_helpers import capture_events
from tests.served import bootstrapped, embedded_env, free_port, start_gunicorn, wait_until_answering

DAILY_SIGNUPS = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "signed_up"}], "interval": "day"}


def capture_signups(client, team, days_back: tuple[int, ...] = (1,)) -> None:
    """Three sign-ups on each of the given days (at 00:00:01 UTC, in the past on the current day too)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=1, microsecond=0)
    events = [
        ("signed_up", f"user-{back}-{n}", {}, (today - timedelta(days=back)).isoformat())
        for back in days_back
        for n in range(3)
    ]
    capture_events(client, team, events)


def create_alert(api_client, team, insight, upper: float = 2, **extra) -> str:
    return create_trends_alert(api_client, team, insight, upper, **extra)["id"]


def signups_insight(team) -> Insight:
    return Insight.objects.create(team=team, name="signups", query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS})


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_schedulers_check_each_due_alert_once(owner_client, world, clickhouse, client):
    assert connection.vendor == "postgresql"  # row locks with skip_locked; scripts/test.sh provides PostgreSQL
    capture_signups(client, world.team)
    insight = signups_insight(world.team)
    alert_ids = [create_alert(owner_client, world.team, insight) for _ in range(6)]
    start = threading.Barrier(2)
    ran: list[int] = []
    failures: list[BaseException] = []

    def scheduler() -> None:
        try:
            start.wait()
            ran.append(alerts_check_due())
        except BaseException as error:  # surfaced below: a thread cannot fail the test itself
            failures.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert sum(ran) == 6
    per_alert = {alert_id: AlertCheck.objects.filter(alert_configuration_id=alert_id).count() for alert_id in alert_ids}
    assert per_alert == dict.fromkeys(alert_ids, 1)
    assert set(AlertConfiguration.objects.values_list("state", "is_calculating")) == {("Firing", False)}


def test_a_clickhouse_outage_gives_an_errored_check_and_the_next_one_succeeds(
    owner_client, world, clickhouse, client, monkeypatch
):
    capture_signups(client, world.team, days_back=(1, 0))
    alert_id = create_alert(owner_client, world.team, signups_insight(world.team))
    client_class = type(clickhouse_client.get_client())

    def refused(self, *args, **kwargs):
        raise OperationalError("Error HTTPConnectionPool(host='clickhouse', port=8123): Connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(client_class, "query", refused)
        assert alerts_check_due() == 1

    errored = AlertCheck.objects.get(alert_configuration_id=alert_id)
    assert (errored.state, errored.calculated_value) == ("Errored", None)
    assert errored.error["message"] == ClickHouseUnavailable.default_detail
    assert (
        "OperationalError: Error HTTPConnectionPool(host='clickhouse', port=8123): Connection refused"
        in (errored.error["traceback"])
    )
    alert = AlertConfiguration.objects.get(id=alert_id)
    assert (alert.state, alert.enabled, alert.is_calculating) == ("Errored", True, False)
    assert alert.next_check_at > datetime.now(UTC)
    assert alerts_check_due() == 0  # retried at the next interval, not at once

    with freeze_time(alert.next_check_at + timedelta(minutes=1)):
        assert alerts_check_due() == 1
    recovered = AlertCheck.objects.filter(alert_configuration_id=alert_id).order_by("-created_at").first()
    assert (recovered.state, recovered.calculated_value, recovered.error) == ("Firing", 3, None)
    alert.refresh_from_db()
    assert (alert.state, alert.enabled) == ("Firing", True)


def test_firing_email_has_the_chart_inline(owner_client, world, clickhouse, client, settings, mailoutbox):
    settings.ALERTS_EMAIL_ENABLED = True
    capture_signups(client, world.team)
    alert_id = create_alert(owner_client, world.team, signups_insight(world.team), subscribed_users=[world.owner.id])
    check = check_alert(alert_id)
    assert check.state == "Firing" and check.targets_notified == {"users": ["owner@example.com"]}
    [message] = mailoutbox
    parsed = message_from_bytes(message.message().as_bytes())
    assert parsed.get_content_type() == "multipart/related"
    parts = {part.get_content_type(): part for part in parsed.walk()}
    html = parts["text/html"].get_payload(decode=True).decode()
    picture = parts["image/png"]
    assert picture["Content-ID"] == "<insight-chart>"
    assert picture.get_content_disposition() == "inline"
    assert picture.get_payload(decode=True).startswith(b"\x89PNG\r\n\x1a\n")
    assert 'src="cid:insight-chart"' in html
    assert "more than upper threshold (2.0)" in html
    assert "more than upper threshold (2.0)" in parts["text/plain"].get_payload(decode=True).decode()


def test_the_periodic_jobs_are_the_same_for_beat_and_the_in_process_scheduler():
    from django.utils.module_loading import import_string

    from config import celery_app

    celery_app.loader.import_default_modules()
    schedule = celery_app.conf.beat_schedule
    assert set(schedule) == {job.name for job in periodic.JOBS}
    assert schedule["cohorts-recalculate-due"] == {"task": "cohorts.recalculate_due", "schedule": 120}
    assert schedule["alerts-check"] == {"task": "alerts.check_alerts", "schedule": 120}
    for job in periodic.JOBS:
        assert job.task in celery_app.tasks, job.task
        assert callable(import_string(job.function)), job.function


def test_the_scheduler_runs_each_job_at_its_period_and_survives_failures(caplog):
    now = [1000.0]
    jobs = (
        periodic.PeriodicJob("fast", "tests.test_alert_scheduling.record_fast", "t.fast", 10),
        periodic.PeriodicJob("broken", "tests.test_alert_scheduling.explode", "t.broken", 30),
        periodic.PeriodicJob("slow", "tests.test_alert_scheduling.record_slow", "t.slow", 60),
    )
    RECORDED.clear()
    scheduler = Scheduler(jobs, clock=lambda: now[0])
    assert scheduler.run_pending() == 10
    now[0] += 10
    assert scheduler.run_pending() == 10
    now[0] += 25
    scheduler.run_pending()
    assert RECORDED == ["fast", "slow", "fast", "fast"]
    assert caplog.text.count("periodic_job_failed job=broken") == 2


RECORDED: list[str] = []


def record_fast() -> None:
    RECORDED.append("fast")


def record_slow() -> None:
    RECORDED.append("slow")


def explode() -> None:
    raise RuntimeError("job exploded")


def _request(port: int, method: str, path: str, key: str, body: dict | None = None) -> tuple[int, dict]:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection_.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection_.getresponse()
    return response.status, json.loads(response.read() or b"null")


def test_the_embedded_scheduler_checks_a_due_alert_in_a_served_process():
    """gunicorn as `make serve` runs it (one gthread worker, gunicorn.conf.py, embedded chDB and SQLite), alerts
    checked every second: an alert created through the API fires without anything else calling it."""
    data_dir = Path(tempfile.mkdtemp(prefix="alerts-serve-", dir=os.environ.get("TEST_TMPDIR")))
    port = free_port()
    env = embedded_env(data_dir, PORT=str(port), ALERTS_CHECK_PERIOD_SECONDS="1")
    env.pop("IN_PROCESS_SCHEDULER", None)
    server = None
    try:
        created = bootstrapped(env, "s@example.com")
        project, key = created["project_id"], created["personal_api_key"]
        server = start_gunicorn(env, port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_until_answering(server, port)
        status, insight = _request(
            port, "POST", f"/api/projects/{project}/insights/", key,
            {"name": "signups", "query": {"kind": "InsightVizNode", "source": DAILY_SIGNUPS}},
        )  # fmt: skip
        assert status == 201, insight
        body = {
            "name": "no signups",
            "insight": insight["id"],
            "subscribed_users": [],
            "config": {"type": "TrendsAlertConfig", "series_index": 0},
            "condition": {"type": "absolute_value"},
            "threshold": {"configuration": {"type": "absolute", "bounds": {"lower": 1}}},
        }
        status, alert = _request(port, "POST", f"/api/projects/{project}/alerts/", key, body)
        assert status == 201, alert
        assert alert["next_check_at"] is None  # due now
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status, shown = _request(port, "GET", f"/api/projects/{project}/alerts/{alert['id']}/", key)
            if shown["checks"]:
                break
            time.sleep(0.5)
        assert [check["state"] for check in shown["checks"]] == ["Firing"], shown
        assert shown["state"] == "Firing" and shown["last_value"] == 0 and shown["next_check_at"] is not None
    finally:
        if server is not None:
            server.terminate()
            output = server.communicate(timeout=30)[0]
            assert b"Traceback" not in output, output.decode()[-3000:]
        shutil.rmtree(data_dir, ignore_errors=True)
