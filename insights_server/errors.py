"""Domain errors: what lower layers raise when a request cannot be served, with no knowledge of HTTP.

The API's exception handler (`insights_server.exceptions`) is the one place that turns them into PostHog's
`{type, code, detail, attr}` responses; subclasses say which status, type and code they answer with.
"""


class DomainError(Exception):
    """An error whose `detail` is safe to show the user."""

    status_code: int = 400
    error_type: str = "validation_error"
    code: str = "invalid_input"
    attr: str | None = None

    def __init__(self, detail: str = "", *args):
        super().__init__(detail, *args)
        self.detail = detail


class ServiceUnavailableError(DomainError):
    """A backing service (the event store, the status store) cannot be reached: try again later.

    `str(error)` keeps the reason for logs (it may name hosts and drivers); users see `default_detail` only.
    """

    status_code = 503
    error_type = "server_error"
    code = "service_unavailable"
    default_detail = "A backing service is unavailable. Try again later."

    def __init__(self, reason: str = ""):
        super().__init__(reason)
        self.detail = self.default_detail
