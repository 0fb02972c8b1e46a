"""Facts about the request being served that deeper layers need without being handed the request.

Whether a personal API key authenticated it (PostHog limits concurrent API-key queries per project; in-app sessions
are not limited), and a memo that lives as long as the request (the access cache keeps the generation it read
there). The middleware resets both around every request, so a thread that serves the next request never sees the
last one's values; outside a request there is no memo.
"""

from contextvars import ContextVar

_api_key_request: ContextVar[bool] = ContextVar("api_key_request", default=False)
_request_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)


def mark_api_key_request() -> None:
    _api_key_request.set(True)


def is_api_key_request() -> bool:
    return _api_key_request.get()


def request_memo() -> dict | None:
    """A dict for facts read once per request, or None outside a request."""
    return _request_memo.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _api_key_request.set(False)
        memo_token = _request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            _request_memo.reset(memo_token)
            _api_key_request.reset(token)
