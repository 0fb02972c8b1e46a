"""Facts about the request being served that deeper layers need without being handed the request.

Today one: whether a personal API key authenticated it (PostHog limits concurrent API-key queries per project;
in-app sessions are not limited). Authentication sets it; the middleware resets it around every request, so a
thread that serves the next request never sees the last one's value.
"""

from contextvars import ContextVar

_api_key_request: ContextVar[bool] = ContextVar("api_key_request", default=False)


def mark_api_key_request() -> None:
    _api_key_request.set(True)


def is_api_key_request() -> bool:
    return _api_key_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _api_key_request.set(False)
        try:
            return self.get_response(request)
        finally:
            _api_key_request.reset(token)
