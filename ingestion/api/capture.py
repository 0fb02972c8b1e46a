"""PostHog-compatible capture endpoints: /batch/, /capture/, /e/, /i/v0/e/, /track/, /engage/.

Real SDKs only look at the status code: 200 means stored. A 200 is sent only after the events are in
the durable spool. In a batch every valid event is kept; the response lists the dropped ones and why.
While the spool holds INGESTION_SPOOL_MAX_EVENTS or more, requests get PostHog's 503 with Retry-After
(backpressure) before their body is decoded: SDKs send them again later, nothing is lost or half-kept.
"""

import logging
import threading
import time
from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ingestion.errors import (
    BODY_TOO_LARGE,
    INVALID_TOKEN,
    MISSING_TOKEN,
    NO_EVENTS,
    SPOOL_FULL,
    UNSTORABLE_EVENT,
    CaptureError,
    EventRejected,
)
from ingestion.normalize import BatchNormalizer
from ingestion.payloads import MAX_BODY_BYTES, decode_body, split_payload
from ingestion.spool import get_spool
from ingestion.teams import team_id_for_token

logger = logging.getLogger(__name__)


class Refusals:
    """Counts backpressure answers and logs them as one warning per REFUSALS_LOG_SECONDS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.logged_at = 0.0

    def note(self, retry_after: int) -> None:
        with self.lock:
            self.count += 1
            now = time.monotonic()
            if now - self.logged_at < REFUSALS_LOG_SECONDS:
                return
            count, self.count, self.logged_at = self.count, 0, now
        logger.warning("capture_backpressure refused=%s retry_after=%s", count, retry_after)


REFUSALS_LOG_SECONDS = 10
refusals = Refusals()


def cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Browsers send events cross-origin (posthog-js); answer like PostHog does, echoing the origin."""
    response["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
    response["Access-Control-Allow-Credentials"] = "true"
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "X-Requested-With,Content-Type"
    )
    return response


def read_body(request: HttpRequest) -> bytes:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise CaptureError(413, "invalid_request", "payload_too_large", BODY_TOO_LARGE)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise CaptureError(413, "invalid_request", "payload_too_large", BODY_TOO_LARGE)
    return body


def token_of(event: Any) -> str | None:
    if not isinstance(event, dict):
        return None
    raw_properties = event.get("properties")
    properties = raw_properties if isinstance(raw_properties, dict) else {}
    for value in (event.get("api_key"), event.get("token"), event.get("$token"), properties.get("token")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def request_token(request: HttpRequest, batch: dict) -> str | None:
    for value in (batch.get("api_key"), batch.get("token"), request.GET.get("api_key"), request.GET.get("token")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def event_team_id(raw: Any) -> int:
    """The team of an event that brings its own token. Raises EventRejected without a known one."""
    token = token_of(raw)
    team_id = team_id_for_token(token) if token else None
    if team_id is None:
        raise EventRejected(INVALID_TOKEN if token else MISSING_TOKEN, attr="api_key")
    return team_id


def accept_events(request: HttpRequest, engage: bool) -> tuple[list[tuple[int, dict]], list[dict]]:
    """((index, normalized event) pairs to store, descriptions of dropped ones). Raises CaptureError for the whole
    request."""
    now = timezone.now()
    body = read_body(request) if request.method == "POST" else b""
    retry_after = get_spool().retry_after(settings.INGESTION_SPOOL_MAX_EVENTS)
    if retry_after is not None:
        raise CaptureError(503, "server_error", "spool_full", SPOOL_FULL, retry_after=retry_after)
    document = decode_body(
        body,
        request.content_type or "",
        request.headers.get("Content-Encoding", ""),
        (request.GET.get("compression") or "").lower(),
        request.GET.get("data") if request.method == "GET" else None,
    )
    raw_events, batch = split_payload(document)
    if not raw_events:
        raise CaptureError(400, "validation_error", "no_data", NO_EVENTS)
    shared_token = request_token(request, batch)
    if shared_token is None and all(token_of(raw) is None for raw in raw_events):
        raise CaptureError(401, "authentication_error", "missing_api_key", MISSING_TOKEN)
    shared_team_id = team_id_for_token(shared_token) if shared_token is not None else None
    if shared_token is not None and shared_team_id is None:
        raise CaptureError(401, "authentication_error", "invalid_api_key", INVALID_TOKEN)
    normalizer = BatchNormalizer(batch, now, engage=engage)
    accepted, dropped = [], []
    for index, raw in enumerate(raw_events):
        try:
            team_id = shared_team_id if shared_team_id is not None else event_team_id(raw)
            accepted.append((index, normalizer.normalize(raw, team_id)))
        except EventRejected as rejected:
            dropped.append({"index": index, "code": rejected.code, "detail": rejected.detail, "attr": rejected.attr})
    return accepted, dropped


def capture(request: HttpRequest, engage: bool = False) -> HttpResponse:
    if request.method == "OPTIONS":
        return cors(request, HttpResponse(status=200))
    if request.method not in ("GET", "POST"):
        refusal = CaptureError(405, "invalid_request", "method_not_allowed", f'Method "{request.method}" not allowed.')
        return cors(request, JsonResponse(refusal.body(), status=405))
    try:
        accepted, dropped = accept_events(request, engage)
        store(accepted, dropped)
    except CaptureError as error:
        response = JsonResponse(error.body(), status=error.status)
        if error.retry_after is not None:
            response["Retry-After"] = str(error.retry_after)
            # Backpressure is capture working as designed: one warning now and then, not an error line per request.
            response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log.log_response
            refusals.note(error.retry_after)
        return cors(request, response)
    except Exception:
        # The spool could not take the events: 503 makes SDKs retry, so nothing is lost.
        logger.exception("capture_failed")
        failure = CaptureError(503, "server_error", "error", "Events could not be stored. Retry later.")
        return cors(request, JsonResponse(failure.body(), status=503))
    answer: dict[str, Any] = {"status": 1}
    if dropped:
        answer["dropped"] = dropped
    return cors(request, JsonResponse(answer))


def store(accepted: list[tuple[int, dict]], dropped: list[dict]) -> None:
    """Puts the accepted events in the spool. Events that can never be stored (text with lone surrogates, nesting
    deeper than the encoder allows) are dropped with a reason instead of failing the batch: a 503 would make SDKs
    resend the same poisoned batch forever. Raises CaptureError (400) when no event is left."""
    events = [event for _, event in accepted]
    if events:
        try:
            get_spool().append(events)
            return
        except orjson.JSONEncodeError:
            storable = []
            for index, event in accepted:
                try:
                    orjson.dumps(event)
                    storable.append(event)
                except orjson.JSONEncodeError as error:
                    reason = UNSTORABLE_EVENT.format(reason=str(error).rstrip("."))
                    dropped.append({"index": index, "code": "invalid_payload", "detail": reason, "attr": None})
            dropped.sort(key=lambda item: item["index"])
            if storable:
                get_spool().append(storable)
                return
    first = dropped[0]
    raise CaptureError(400, "validation_error", first["code"], first["detail"], first["attr"])


@csrf_exempt
def capture_view(request: HttpRequest) -> HttpResponse:
    return capture(request)


@csrf_exempt
def engage_view(request: HttpRequest) -> HttpResponse:
    """Mixpanel-style person updates (`$set` with `$distinct_id`): stored as `$identify` events."""
    return capture(request, engage=True)
