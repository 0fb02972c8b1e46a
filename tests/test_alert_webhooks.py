"""Webhook destinations of alerts: a real receiver on a local port gets signed payloads (checked with an independent
HMAC), failing receivers are retried, every outcome is on the check, URLs pointing inside are refused, and the
secret never leaves the server."""

import hashlib
import hmac
import json
import logging
import ssl
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from alerts import webhooks
from alerts.checks import check_alert
from alerts.models import AlertCheck, AlertConfiguration, AlertWebhook
from insights.models import Insight
from tests.alerts_helpers import trends_alert_body
from tests.query_helpers import capture_events

DAILY_SIGNUPS = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "signed_up"}], "interval": "day"}
SECRET = "a-very-long-webhook-secret-0123"


class Receiver:
    """An HTTP server on a free local port answering each POST with the next status of `statuses` (the last one
    repeats), recording (path, headers, body) of each."""

    def __init__(self, statuses: list[int], tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        self.statuses = list(statuses)
        self.scheme, self.host = ("https" if tls else "http"), host
        self.requests: list[tuple[str, dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.server.server_port}/hooks/alerts?source=insights"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory():
    opened: list[Receiver] = []

    def make(*statuses: int) -> Receiver:
        receiver = Receiver(list(statuses) or [200])
        opened.append(receiver)
        return receiver

    yield make
    for receiver in opened:
        receiver.close()


@pytest.fixture
def private_targets(settings):
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE = True
    settings.ALERTS_WEBHOOK_BACKOFF_SECONDS = 0.01
    settings.ALERTS_WEBHOOK_TIMEOUT_SECONDS = 2
    return settings


@pytest.fixture
def yesterday_signups(world, clickhouse, client):
    noon = (datetime.now(UTC) - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    capture_events(client, world.team, [("signed_up", f"user-{n}", {}, noon.isoformat()) for n in range(3)])
    return Insight.objects.create(
        team=world.team, name="signups", query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS}
    )


def alert_body(insight, hooks: list[dict], upper: float = 2) -> dict:
    return trends_alert_body(insight, upper, webhooks=hooks)


def alerts_url(team, suffix: str = "") -> str:
    return f"/api/projects/{team.id}/alerts/{suffix}"


def create(client, team, body) -> dict:
    response = client.post(alerts_url(team), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_firing_check_posts_a_signed_payload(
    owner_client, world, yesterday_signups, private_targets, receiver_factory, caplog
):
    caplog.set_level(logging.DEBUG)
    receiver = receiver_factory(200)
    created = create(owner_client, world.team, alert_body(yesterday_signups, [{"url": receiver.url, "secret": SECRET}]))
    [hook] = created["webhooks"]
    assert set(hook) == {"id", "url", "enabled", "has_secret", "created_at"}
    assert (hook["url"], hook["enabled"], hook["has_secret"]) == (receiver.url, True, True)

    check = check_alert(created["id"])

    assert check.state == "Firing"
    [(path, headers, body)] = receiver.requests
    assert path == "/hooks/alerts?source=insights"
    assert headers["Content-Type"] == "application/json"
    timestamp = headers["X-Insights-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Insights-Signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - datetime.now(UTC).timestamp()) < 60
    payload = json.loads(body)
    breach = "The insight value (signed_up) for previous day (3) is more than upper threshold (2.0)"
    insight_link = f"http://127.0.0.1:8000/project/{world.team.id}/insights/{yesterday_signups.short_id}"
    assert payload["event"] == "alert_firing"
    assert payload["alert"]["id"] == created["id"] and payload["alert"]["name"] == "signups"
    assert payload["alert"]["threshold"] == {"type": "absolute", "bounds": {"upper": 2}}
    assert payload["insight"] == {"id": yesterday_signups.id, "short_id": yesterday_signups.short_id, "name": "signups"}
    assert (payload["value"], payload["breaches"], payload["check"]["id"]) == (3, [breach], str(check.id))
    assert payload["links"] == {"insight": insight_link, "alert": f"{insight_link}?alert_id={created['id']}"}
    assert payload["text"].startswith("PostHog alert signups is firing\n") and breach in payload["text"]

    check.refresh_from_db()
    [delivery] = check.webhook_deliveries
    assert (delivery["webhook_id"], delivery["status"], delivery["attempts"]) == (hook["id"], "delivered", 1)
    assert (delivery["response_status"], delivery["error"]) == (200, None)
    assert check.targets_notified == {"webhooks": [hook["id"]]}
    shown = owner_client.get(alerts_url(world.team, f"{created['id']}/"))
    [rendered_check] = shown.json()["checks"]
    assert rendered_check["targets_notified"] is True
    assert rendered_check["webhook_deliveries"][0]["status"] == "delivered"
    assert SECRET not in shown.content.decode() and SECRET not in caplog.text
    assert receiver.url not in caplog.text  # only the host is logged: a webhook URL can be a credential


def test_a_failing_receiver_is_retried_with_the_same_delivery_id(
    owner_client, world, yesterday_signups, private_targets, receiver_factory
):
    receiver = receiver_factory(500, 200)
    created = create(owner_client, world.team, alert_body(yesterday_signups, [{"url": receiver.url, "secret": SECRET}]))

    check = check_alert(created["id"])

    assert len(receiver.requests) == 2
    first, second = (headers for _, headers, _ in receiver.requests)
    assert first["X-Insights-Delivery"] == second["X-Insights-Delivery"]
    check.refresh_from_db()
    [delivery] = check.webhook_deliveries
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == ("delivered", 2, 200)


def test_failed_deliveries_are_recorded_and_the_check_stands(
    owner_client, world, yesterday_signups, private_targets, receiver_factory
):
    down, rejecting, redirecting = receiver_factory(503), receiver_factory(400), receiver_factory(302)
    closed = receiver_factory(200)
    closed.close()
    hooks = [{"url": receiver.url} for receiver in (down, rejecting, redirecting, closed)]
    created = create(owner_client, world.team, alert_body(yesterday_signups, hooks))

    check = check_alert(created["id"])

    assert check.state == "Firing"
    outcomes = [(d["status"], d["attempts"], d["response_status"]) for d in check.webhook_deliveries]
    # 5xx and unreachable are retried up to ALERTS_WEBHOOK_MAX_ATTEMPTS (3); a 4xx is not; redirects are not followed
    assert outcomes == [("failed", 3, 503), ("failed", 1, 400), ("failed", 1, 302), ("failed", 3, None)]
    assert check.webhook_deliveries[0]["error"] == "HTTP 503"
    assert "ConnectionRefusedError" in check.webhook_deliveries[3]["error"]
    assert (len(down.requests), len(rejecting.requests), len(redirecting.requests)) == (3, 1, 1)
    assert "X-Insights-Signature" not in down.requests[0][1]  # no secret, no signature
    assert check.targets_notified == {}
    alert = AlertConfiguration.objects.get(id=created["id"])
    assert (alert.state, alert.enabled, alert.next_check_at is not None) == ("Firing", True, True)


@pytest.fixture
def self_signed_localhost(tmp_path):
    """A certificate for `localhost` and a server context using it (openssl CLI)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def test_https_receivers_get_the_certificate_checked(
    owner_client, world, yesterday_signups, private_targets, receiver_factory, self_signed_localhost, monkeypatch
):
    cert, context = self_signed_localhost
    receiver = Receiver([200], tls=context, host="localhost")
    try:
        created = create(owner_client, world.team, alert_body(yesterday_signups, [{"url": receiver.url}]))
        untrusted = check_alert(created["id"])
        assert (untrusted.webhook_deliveries[0]["status"], untrusted.webhook_deliveries[0]["attempts"]) == ("failed", 1)
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.webhook_deliveries[0]["error"]
        assert receiver.requests == []

        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # OpenSSL's own trust store variable
        AlertConfiguration.objects.filter(id=created["id"]).update(next_check_at=None)
        trusted = check_alert(created["id"])
        assert trusted.webhook_deliveries[0]["status"] == "delivered"
        [(path, headers, _)] = receiver.requests
        assert path == "/hooks/alerts?source=insights" and headers["Host"] == f"localhost:{receiver.server.server_port}"
    finally:
        receiver.close()


def test_not_firing_checks_post_nothing(owner_client, world, yesterday_signups, private_targets, receiver_factory):
    receiver = receiver_factory(200)
    created = create(owner_client, world.team, alert_body(yesterday_signups, [{"url": receiver.url}], upper=10))
    check = check_alert(created["id"])
    assert (check.state, receiver.requests, check.webhook_deliveries) == ("Not firing", [], None)


def test_a_target_that_became_private_is_refused_at_delivery(
    owner_client, world, yesterday_signups, private_targets, receiver_factory
):
    receiver = receiver_factory(200)
    created = create(owner_client, world.team, alert_body(yesterday_signups, [{"url": receiver.url}]))
    private_targets.ALERTS_WEBHOOK_ALLOW_PRIVATE = False
    check = check_alert(created["id"])
    assert receiver.requests == []
    [delivery] = check.webhook_deliveries
    assert (delivery["status"], delivery["attempts"], delivery["error"]) == ("refused", 0, webhooks.URL_PRIVATE)


@pytest.mark.parametrize(
    ("url", "allow_private", "message"),
    [
        ("http://127.0.0.1:8123/", False, webhooks.URL_PRIVATE),
        ("http://localhost/hook", False, webhooks.URL_PRIVATE),
        ("https://10.1.2.3/hook", False, webhooks.URL_PRIVATE),
        ("http://[::1]:8080/", False, webhooks.URL_PRIVATE),
        ("http://[::ffff:192.168.0.1]/", False, webhooks.URL_PRIVATE),
        ("http://169.254.169.254/latest/meta-data/", True, webhooks.URL_LINK_LOCAL),
        ("http://[fe80::1]/", True, webhooks.URL_LINK_LOCAL),
        ("http://127.0.0.1:8000/api/projects/", True, webhooks.URL_SELF),
        ("ftp://example.com/hook", True, webhooks.URL_NOT_HTTP),
        ("https:///no-host", True, webhooks.URL_NOT_HTTP),
        ("http://example.com:99999/", True, webhooks.URL_NOT_HTTP),
        ("http://no-such-host.invalid/hook", True, webhooks.URL_UNRESOLVABLE),
    ],
)
def test_webhook_urls_pointing_inside_are_refused(owner_client, world, settings, url, allow_private, message):
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE = allow_private
    insight = Insight.objects.create(team=world.team, query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS})
    response = owner_client.post(alerts_url(world.team), alert_body(insight, [{"url": url}]), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_webhook_url",
        "detail": message,
        "attr": "webhooks__0__url",
    }
    assert AlertConfiguration.objects.count() == 0


def test_webhooks_are_replaced_on_patch_and_keep_their_secret(owner_client, world, settings):
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE = True
    insight = Insight.objects.create(team=world.team, query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS})
    created = create(owner_client, world.team, alert_body(insight, [{"url": "http://127.0.0.1:9/a", "secret": SECRET}]))
    [hook] = created["webhooks"]
    patch = {
        "webhooks": [
            {"id": hook["id"], "url": "http://127.0.0.1:9/b", "enabled": False},
            {"url": "http://127.0.0.1:9/c"},
        ]
    }
    response = owner_client.patch(alerts_url(world.team, f"{created['id']}/"), patch, format="json")
    assert response.status_code == 200, response.json()
    rendered = [(h["url"], h["enabled"], h["has_secret"]) for h in response.json()["webhooks"]]
    assert rendered == [("http://127.0.0.1:9/b", False, True), ("http://127.0.0.1:9/c", True, False)]
    assert AlertWebhook.objects.get(id=hook["id"]).secret == SECRET

    short = {"webhooks": [{"url": "http://127.0.0.1:9/d", "secret": "short"}]}
    response = owner_client.patch(alerts_url(world.team, f"{created['id']}/"), short, format="json")
    assert (response.status_code, response.json()["detail"], response.json()["attr"]) == (
        400,
        webhooks.SECRET_LENGTH,
        "webhooks__0__secret",
    )
    foreign = {"webhooks": [{"id": "018f0000-0000-7000-8000-000000000000", "url": "http://127.0.0.1:9/e"}]}
    response = owner_client.patch(alerts_url(world.team, f"{created['id']}/"), foreign, format="json")
    assert (response.status_code, response.json()["detail"], response.json()["attr"]) == (
        400,
        webhooks.UNKNOWN_WEBHOOK,
        "webhooks",
    )

    response = owner_client.patch(alerts_url(world.team, f"{created['id']}/"), {"webhooks": []}, format="json")
    assert response.json()["webhooks"] == [] and AlertWebhook.objects.count() == 0
    # changing the destinations is logged on the alert, without the URLs
    activity = owner_client.get(f"/api/projects/{world.team.id}/activity_log/?scope=AlertConfiguration").json()
    webhook_changes = [
        change
        for entry in activity["results"]
        for change in (entry["detail"].get("changes") or [])
        if change["field"] == "webhooks"
    ]
    assert webhook_changes and all(change["before"] is None and change["after"] is None for change in webhook_changes)


def test_webhook_secret_is_signed_exactly_over_timestamp_dot_body():
    body = b'{"a":1}'
    digest = hmac.new(b"k" * 16, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.sign("k" * 16, 1700000000, body) == f"sha256={digest}"


def test_deleting_an_alert_deletes_its_webhooks(owner_client, world, settings):
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE = True
    insight = Insight.objects.create(team=world.team, query={"kind": "InsightVizNode", "source": DAILY_SIGNUPS})
    created = create(owner_client, world.team, alert_body(insight, [{"url": "http://127.0.0.1:9/a"}]))
    assert owner_client.delete(alerts_url(world.team, f"{created['id']}/")).status_code == 204
    assert (AlertWebhook.objects.count(), AlertCheck.objects.count()) == (0, 0)
