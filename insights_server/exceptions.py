"""PostHog's error shape: every API error is one flat `{type, code, detail, attr}` object."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from insights_server.errors import DomainError

logger = logging.getLogger(__name__)

SERVER_ERROR_DETAIL = "A server error occurred."
ENDPOINT_NOT_FOUND_DETAIL = "Endpoint not found."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than this server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE)."
    default_code = "request_too_large"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A backing service is unavailable. Try again later."
    default_code = "service_unavailable"


def error_type_for(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "validation_error"
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed | exceptions.PermissionDenied):
        return "authentication_error"
    if isinstance(exc, exceptions.Throttled):
        return "throttled_error"
    if exc.status_code >= 500:
        return "server_error"
    return "invalid_request"


def first_error(detail: Any, path: tuple[str, ...] = ()) -> tuple[str, str, str | None]:
    """Walk a DRF error structure to its first leaf: (message, code, attr)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            segment = () if key in ("non_field_errors", "__all__") else (str(key),)
            return first_error(value, path + segment)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            # Lists of plain messages belong to the field itself; lists of structures index into it.
            segment = (str(index),) if isinstance(value, dict | list) else ()
            return first_error(value, path + segment)
    else:
        code = getattr(detail, "code", None) or "invalid"
        return str(detail), code, "__".join(path) or None
    return "", "invalid", "__".join(path) or None


def error_body(type_: str, code: str, detail: str, attr: str | None = None) -> dict[str, Any]:
    return {"type": type_, "code": code, "detail": detail, "attr": attr}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF exception handler: every error leaves in PostHog's shape; unexpected ones become a logged 500.

    Domain errors of the lower layers (`insights_server.errors.DomainError`) are mapped here and nowhere else.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

    if isinstance(exc, DomainError):
        set_rollback()
        return Response(error_body(exc.error_type, exc.code, exc.detail, exc.attr), status=exc.status_code)

    if not isinstance(exc, exceptions.APIException):
        view = context.get("view")
        logger.exception("unhandled_api_error view=%s", type(view).__name__ if view else None)
        set_rollback()
        return Response(error_body("server_error", "error", SERVER_ERROR_DETAIL), status=500)

    headers = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))

    if isinstance(exc, exceptions.ValidationError):
        detail, code, attr = first_error(exc.detail)
    else:
        detail, code, _ = first_error(exc.detail)
        attr = None
    if code == "invalid":
        code = "invalid_input"
    set_rollback()
    return Response(error_body(error_type_for(exc), code, detail, attr), status=exc.status_code, headers=headers)


@csrf_exempt  # a write to an unknown path is a JSON 404, not Django's HTML CSRF page
def not_found_view(request: HttpRequest, exception: Exception | None = None, *args, **kwargs) -> JsonResponse:
    """Any path no route matches."""
    return JsonResponse(error_body("invalid_request", "not_found", ENDPOINT_NOT_FOUND_DETAIL), status=404)


def server_error_view(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    return JsonResponse(error_body("server_error", "error", SERVER_ERROR_DETAIL), status=500)
