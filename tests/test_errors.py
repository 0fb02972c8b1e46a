"""Every error leaves in PostHog's shape {type, code, detail, attr}."""

import pytest
from rest_framework import exceptions, serializers

from insights_server.exceptions import exception_handler


def test_unknown_route_gives_json_404(client):
    response = client.get("/api/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Endpoint not found.",
        "attr": None,
    }


def test_malformed_json_gives_400_parse_error(owner_client):
    response = owner_client.patch("/api/users/@me/", data='{"first_name": ', content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "invalid_request"
    assert body["code"] == "parse_error"
    assert body["attr"] is None
    assert body["detail"].startswith("JSON parse error")


def test_form_body_gives_415(owner_client):
    response = owner_client.patch(
        "/api/users/@me/", data="first_name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert response.json()["type"] == "invalid_request"


def test_wrong_method_gives_405(owner_client):
    response = owner_client.delete("/api/users/@me/")
    assert response.status_code == 405
    assert response.json() == {
        "type": "invalid_request",
        "code": "method_not_allowed",
        "detail": 'Method "DELETE" not allowed.',
        "attr": None,
    }


def test_unauthenticated_gives_401_in_error_shape(client, db):
    response = client.get("/api/users/@me/")
    assert response.status_code == 401
    assert response.json() == {
        "type": "authentication_error",
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "attr": None,
    }


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ({"name": ["This field is required."]}, ("This field is required.", "invalid_input", "name")),
        ({"filters": {"events": [{"id": ["Bad."]}]}}, ("Bad.", "invalid_input", "filters__events__0__id")),
        ({"non_field_errors": ["Both set."]}, ("Both set.", "invalid_input", None)),
        (["Plain message."], ("Plain message.", "invalid_input", None)),
    ],
)
def test_validation_errors_flatten_to_first_error(detail, expected):
    response = exception_handler(exceptions.ValidationError(detail), {})
    message, code, attr = expected
    assert response.status_code == 400
    assert response.data == {"type": "validation_error", "code": code, "detail": message, "attr": attr}


def test_validation_error_keeps_its_code():
    error = serializers.ValidationError({"name": [serializers.ErrorDetail("Required.", code="required")]})
    assert exception_handler(error, {}).data["code"] == "required"


def test_unexpected_exception_gives_500_server_error():
    response = exception_handler(ZeroDivisionError("boom"), {})
    assert response.status_code == 500
    assert response.data == {
        "type": "server_error",
        "code": "error",
        "detail": "A server error occurred.",
        "attr": None,
    }


def test_throttled_gives_retry_after():
    response = exception_handler(exceptions.Throttled(wait=12), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "12"
    assert response.data["type"] == "throttled_error"
    assert response.data["code"] == "throttled"
