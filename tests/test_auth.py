"""Session login and personal API key authentication."""

from django.utils import timezone
from rest_framework.test import APIClient

from insights_server.models import PersonalAPIKey
from insights_server.services.personal_api_keys import personal_api_key_create
from tests.conftest import PASSWORD, key_client


def test_login_with_email_and_password_starts_a_session(world):
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/api/login/", {"email": "owner@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert client.get("/api/users/@me/").json()["email"] == "owner@example.com"


def test_login_with_wrong_password_is_refused(world):
    response = APIClient().post("/api/login/", {"email": "owner@example.com", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_credentials",
        "detail": "Invalid email or password.",
        "attr": None,
    }


def test_session_write_without_csrf_token_is_refused_and_with_it_accepted(world):
    client = APIClient(enforce_csrf_checks=True)
    client.post("/api/login/", {"email": "owner@example.com", "password": PASSWORD}, format="json")
    refused = client.patch("/api/users/@me/", {"first_name": "New"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    token = client.cookies["posthog_csrftoken"].value
    accepted = client.patch("/api/users/@me/", {"first_name": "New"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert accepted.json()["first_name"] == "New"


def test_logout_ends_the_session(world):
    client = APIClient()
    client.post("/api/login/", {"email": "owner@example.com", "password": PASSWORD}, format="json")
    assert client.post("/api/logout/").status_code == 200
    assert client.get("/api/users/@me/").status_code == 401


def test_key_in_authorization_header_authenticates(world):
    client = key_client(world.owner)
    assert client.get("/api/users/@me/").json()["email"] == "owner@example.com"


def test_key_in_query_string_and_body_authenticate(world):
    _, value = personal_api_key_create(world.owner, "q", ["*"])
    client = APIClient()
    assert client.get(f"/api/users/@me/?personal_api_key={value}").status_code == 200
    response = client.patch("/api/users/@me/", {"personal_api_key": value, "first_name": "Body"}, format="json")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Body"


def test_header_key_is_tried_before_query_string(world):
    _, good = personal_api_key_create(world.owner, "good", ["*"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer phx_not_a_real_key")
    response = client.get(f"/api/users/@me/?personal_api_key={good}")
    assert response.status_code == 401
    assert response.json()["detail"] == "Personal API key found in request Authorization header is invalid."


def test_invalid_key_gives_401_naming_its_source(world):
    response = APIClient().get("/api/users/@me/?personal_api_key=phx_wrong")
    assert response.status_code == 401
    assert response.json() == {
        "type": "authentication_error",
        "code": "authentication_failed",
        "detail": "Personal API key found in request query string is invalid.",
        "attr": None,
    }


def test_key_of_inactive_user_is_invalid(world):
    client = key_client(world.owner)
    world.owner.is_active = False
    world.owner.save()
    assert client.get("/api/users/@me/").status_code == 401


def test_key_is_stored_only_as_a_hash(world):
    client = key_client(world.owner)
    key = PersonalAPIKey.objects.get(user=world.owner)
    stored = [str(value) for value in PersonalAPIKey.objects.filter(pk=key.pk).values().first().values()]
    assert client.key_value not in " ".join(stored)
    assert key.secure_value.startswith("sha256$")
    assert key.mask_value == f"{client.key_value[:4]}...{client.key_value[-4:]}"


def test_last_used_at_is_set_on_use(world):
    client = key_client(world.owner)
    before = timezone.now()
    client.get("/api/users/@me/")
    key = PersonalAPIKey.objects.get(user=world.owner)
    assert key.last_used_at is not None and key.last_used_at >= before
