"""Webhook destinations of alerts: which URLs may be called (SSRF rules), the signed JSON body, and delivery with
bounded retries. The webhook notifier (registered by alerts/apps.py) posts each firing check to every enabled
destination of its alert and records the outcome on the check (`AlertCheck.webhook_deliveries`).

Signature: when a destination has a secret, each request carries
    X-Insights-Timestamp: <unix seconds>
    X-Insights-Signature: sha256=<hex HMAC-SHA256(secret, b"<timestamp>." + raw body bytes)>
so a receiver recomputes the HMAC over the timestamp, a dot and the exact body it received, compares in constant
time and may refuse old timestamps. `X-Insights-Delivery` is the same id on every retry of one delivery.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from alerts.notifications import insight_url
from alerts.schema import AlertState

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Insights-Signature"
TIMESTAMP_HEADER = "X-Insights-Timestamp"
DELIVERY_HEADER = "X-Insights-Delivery"
USER_AGENT = "insights-server-alerts/1"
MAX_URL_LENGTH = 2000
MAX_WEBHOOKS_PER_ALERT = 10
SECRET_MIN_LENGTH, SECRET_MAX_LENGTH = 16, 256
# The receiver's answer is never read past this: only its status matters.
MAX_RESPONSE_BYTES = 64 * 1024

URL_NOT_HTTP = "Webhook URL must be an http:// or https:// URL with a host name."
URL_TOO_LONG = f"Webhook URL must be at most {MAX_URL_LENGTH} characters."
URL_UNRESOLVABLE = "Webhook URL host name could not be resolved."
URL_PRIVATE = (
    "Webhook URL must not point at a private, loopback or reserved address (see ALERTS_WEBHOOK_ALLOW_PRIVATE)."
)
URL_LINK_LOCAL = "Webhook URL must not point at a link-local or cloud metadata address."
URL_SELF = "Webhook URL must not point at this server."
TOO_MANY_WEBHOOKS = f"An alert can have at most {MAX_WEBHOOKS_PER_ALERT} webhooks."
SECRET_LENGTH = f"Webhook secret must be between {SECRET_MIN_LENGTH} and {SECRET_MAX_LENGTH} characters."
UNKNOWN_WEBHOOK = "This webhook does not belong to the alert."


class WebhookURLError(ValueError):
    """A URL the server refuses to call; `str(error)` is the user-facing message."""


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _allow_private() -> bool:
    return bool(getattr(settings, "ALERTS_WEBHOOK_ALLOW_PRIVATE", False))


def _address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # Link-local covers 169.254.169.254, the metadata service of most clouds: never a webhook, whatever the setting.
    if address.is_link_local or address in ipaddress.ip_network("fd00:ec2::254/128"):
        return URL_LINK_LOCAL
    if not address.is_global and not _allow_private():
        return URL_PRIVATE
    return None


def _is_this_server(host: str, port: int) -> bool:
    site = urlsplit(settings.SITE_URL)
    site_port = site.port or _default_port(site.scheme)
    return (site.hostname or "").lower() == host.lower() and site_port == port


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to (connecting to what was checked defeats DNS rebinding)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def resolve_webhook_url(url: str) -> Target:
    """Check a webhook URL and resolve its host.

    Refuses non-HTTP(S) URLs, this server's own origin, and hosts that resolve to any link-local/metadata address,
    or to any loopback, private or reserved address unless the setting ALERTS_WEBHOOK_ALLOW_PRIVATE is true.
    Raises WebhookURLError with the message to show.
    """
    if len(url) > MAX_URL_LENGTH:
        raise WebhookURLError(URL_TOO_LONG)
    parts = urlsplit(url)
    try:
        port = parts.port or _default_port(parts.scheme)
    except ValueError:
        raise WebhookURLError(URL_NOT_HTTP) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookURLError(URL_NOT_HTTP)
    host = parts.hostname
    if _is_this_server(host, port):
        raise WebhookURLError(URL_SELF)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise WebhookURLError(URL_UNRESOLVABLE) from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        refusal = _address_refusal(address)
        if refusal:
            raise WebhookURLError(refusal)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, tuple(dict.fromkeys(str(address) for address in addresses)))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The value of X-Insights-Signature: `sha256=` and the hex HMAC-SHA256 of `b"<timestamp>." + body`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_payload(alert, check, breaches: list[str], insight_url: str) -> dict:
    """The JSON body: the alert, the insight, the value and breaches, links, and Slack's `text`."""
    insight = alert.insight
    insight_name = insight.name or insight.derived_name or insight.short_id
    alert_url = f"{insight_url}?alert_id={alert.id}"
    name = alert.name or f"Alert for {insight_name}"
    lines = [
        f"PostHog alert {name} is firing",
        *[f"• {breach}" for breach in breaches],
        f"<{alert_url}|{insight_name}>",
    ]
    return {
        "event": "alert_firing",
        "text": "\n".join(lines),
        "alert": {
            "id": str(alert.id),
            "name": alert.name,
            "state": check.state,
            "calculation_interval": alert.calculation_interval,
            "condition": alert.condition,
            "threshold": alert.threshold.configuration if alert.threshold_id else None,
            "detector_config": alert.detector_config,
        },
        "insight": {"id": insight.id, "short_id": insight.short_id, "name": insight_name},
        "project_id": alert.team_id,
        "check": {"id": str(check.id), "created_at": check.created_at.isoformat() if check.created_at else None},
        "value": check.calculated_value,
        "breaches": breaches,
        "links": {"insight": insight_url, "alert": alert_url},
    }


def _connect(addresses: tuple[str, ...], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first of the checked addresses that answers (never a fresh DNS answer)."""
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as failed:
            error = failed
    raise error


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an already checked address, verifying the certificate of the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = target.addresses

    def connect(self) -> None:
        sock = _connect(self._addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout)


def _post(target: Target, body: bytes, headers: dict, timeout: float) -> int:
    """One POST, redirects not followed; the response status."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return response.status
    finally:
        connection.close()


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def deliver(webhook, payload: dict, sleep=time.sleep) -> dict:
    """POST the payload to one destination, retrying connection errors, timeouts, 429 and 5xx (not
    4xx, redirects or an untrusted certificate).

    At most ALERTS_WEBHOOK_MAX_ATTEMPTS attempts (default 3), waiting ALERTS_WEBHOOK_BACKOFF_SECONDS (default 1)
    times 2^n between them, each with a timeout of ALERTS_WEBHOOK_TIMEOUT_SECONDS (default 5). The URL is checked
    again (it may resolve elsewhere now). Returns the outcome recorded on the check:
    `{webhook_id, status: delivered|failed|refused, attempts, response_status, error}`. Never raises.
    """
    attempts_allowed = max(1, int(getattr(settings, "ALERTS_WEBHOOK_MAX_ATTEMPTS", 3)))
    backoff = float(getattr(settings, "ALERTS_WEBHOOK_BACKOFF_SECONDS", 1.0))
    timeout = float(getattr(settings, "ALERTS_WEBHOOK_TIMEOUT_SECONDS", 5.0))
    outcome: dict = {"webhook_id": str(webhook.id), "status": "failed", "attempts": 0, "response_status": None}
    outcome["error"] = None
    try:
        target = resolve_webhook_url(webhook.url)
    except WebhookURLError as error:
        outcome.update(status="refused", error=str(error))
        return outcome
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    delivery_id = str(uuid.uuid4())
    for attempt in range(1, attempts_allowed + 1):
        if attempt > 1:
            sleep(backoff * 2 ** (attempt - 2))
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            DELIVERY_HEADER: delivery_id,
            TIMESTAMP_HEADER: str(timestamp),
        }
        if webhook.secret:
            headers[SIGNATURE_HEADER] = sign(webhook.secret, timestamp, body)
        outcome["attempts"] = attempt
        try:
            status = _post(target, body, headers, timeout)
        except ssl.SSLCertVerificationError as error:
            # The same certificate fails the same way a second later.
            outcome.update(response_status=None, error=f"{type(error).__name__}: {error}")
            break
        except (OSError, http.client.HTTPException) as error:
            outcome.update(response_status=None, error=f"{type(error).__name__}: {error}")
            continue
        outcome["response_status"] = status
        if 200 <= status < 300:
            outcome.update(status="delivered", error=None)
            return outcome
        outcome["error"] = f"HTTP {status}"
        if not _retryable(status):
            break
    return outcome


def webhook_notifier(alert, check, breaches: list[str]) -> dict[str, list]:
    """Post a Firing check to each enabled webhook of the alert; record every outcome on the check.

    Returns `{"webhooks": [ids delivered]}`. A failed delivery never fails the check (it is recorded, and logged
    with the destination's id and host, never its URL, which may itself be a credential, nor its secret).
    """
    if check.state != AlertState.FIRING:
        return {}
    webhooks = [webhook for webhook in alert.webhooks.all() if webhook.enabled]
    if not webhooks:
        return {}
    payload = webhook_payload(alert, check, breaches, insight_url(alert))
    outcomes = []
    for webhook in webhooks:
        outcome = deliver(webhook, payload)
        outcome["at"] = timezone.now().isoformat()
        outcomes.append(outcome)
        logger.info(
            "alert_webhook_delivery alert_id=%s check_id=%s webhook_id=%s host=%s status=%s attempts=%s http=%s",
            alert.id, check.id, webhook.id, urlsplit(webhook.url).hostname, outcome["status"], outcome["attempts"],
            outcome["response_status"],
        )  # fmt: skip
    check.webhook_deliveries = outcomes
    check.save(update_fields=["webhook_deliveries"])
    return {"webhooks": [outcome["webhook_id"] for outcome in outcomes if outcome["status"] == "delivered"]}
