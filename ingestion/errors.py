"""Capture errors, in PostHog's error shape, and the messages tests import."""

from dataclasses import dataclass

MISSING_TOKEN = "API key not provided. You can find your project API key in your PostHog project settings."
INVALID_TOKEN = "Project API key invalid. You can find your project API key in your PostHog project settings."
MISSING_DISTINCT_ID = "You need to set user distinct ID field `distinct_id`."
MISSING_EVENT_NAME = "You need to set event name field `event`."
NO_EVENTS = "No events were found in the request."
BODY_TOO_LARGE = "Request body is larger than the 20 MB limit."
SPOOL_FULL = (
    "Too many events are waiting to be stored (more than INGESTION_SPOOL_MAX_EVENTS). "
    "Nothing was kept from this request: send it again after Retry-After seconds."
)
UNSTORABLE_EVENT = (
    "The event cannot be stored: {reason}. Remove lone surrogate characters and nesting deeper than 255 levels."
)


@dataclass
class CaptureError(Exception):
    """A request-level failure: becomes one error response."""

    status: int
    type: str
    code: str
    detail: str
    attr: str | None = None
    retry_after: int | None = None

    def body(self) -> dict:
        return {"type": self.type, "code": self.code, "detail": self.detail, "attr": self.attr}


class EventRejected(Exception):
    """One event of a request is invalid; the rest of the batch is still kept."""

    def __init__(self, detail: str, attr: str | None = None, code: str = "invalid_input"):
        super().__init__(detail)
        self.detail, self.attr, self.code = detail, attr, code


def malformed(detail: str) -> CaptureError:
    return CaptureError(400, "validation_error", "invalid_payload", f"Malformed request data: {detail}")
