"""Health, OpenAPI, throttling (real Redis when REDIS_URL is set) and the bootstrap command."""

import json
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from insights_server.models import PersonalAPIKey, User
from tests.conftest import key_client


def test_health_is_ok_when_database_and_clickhouse_answer(client, db):
    response = client.get("/_health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "clickhouse": "ok"}}


def test_health_is_503_when_clickhouse_is_unreachable(client, db, settings):
    settings.CLICKHOUSE_URL = "http://default:@127.0.0.1:9/default"
    response = client.get("/_health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"] == {"database": "ok", "clickhouse": "error"}
    assert body["reason"] == "clickhouse: not reachable (see the server log)"
    assert "127.0.0.1" not in response.content.decode() and ":9" not in body["reason"]


def test_openapi_schema_validates(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/api/users/{uuid}/", "/api/projects/{id}/", "/api/personal_api_keys/{id}/roll/"} <= paths
    # Project resources name their path parameter as PostHog's schema does.
    assert {
        "/api/projects/{project_id}/insights/",
        "/api/environments/{environment_id}/insights/{id}/",
        "/api/projects/{project_id}/events/",
        "/api/projects/{project_id}/persons/{id}/",
    } <= paths
    assert not [path for path in paths if "{team_id}" in path]
    events = schema["paths"]["/api/projects/{project_id}/events/"]["get"]
    assert [p["name"] for p in events["parameters"] if p["in"] == "path"] == ["project_id"]


def test_schema_and_swagger_ui_are_served(client, db):
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/schema/swagger-ui/")
    assert page.status_code == 200 and b"swagger" in page.content.lower()


@pytest.fixture
def rate_limited(settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "burst": "3/minute"}
    cache.clear()
    yield
    cache.clear()


def test_keys_are_throttled_with_retry_after(world, rate_limited):
    client = key_client(world.owner)
    statuses = [client.get("/api/users/@me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/users/@me/")
    assert response.json()["type"] == "throttled_error"
    assert response.json()["detail"].startswith("Request was throttled.")
    assert 0 < int(response["Retry-After"]) <= 60


def test_sessions_are_not_throttled(owner_client, rate_limited):
    assert {owner_client.get("/api/users/@me/").status_code for _ in range(5)} == {200}


def test_throttling_is_off_by_default(world, settings):
    assert settings.RATE_LIMIT_ENABLED is False
    client = key_client(world.owner)
    assert {client.get("/api/users/@me/").status_code for _ in range(5)} == {200}


def run_bootstrap(*extra: str) -> dict:
    out = StringIO()
    call_command(
        "bootstrap", "--email", "boot@example.com", "--password", "boot-password-1",
        "--organization", "Boot Org", "--project", "Boot Project", *extra, stdout=out,
    )  # fmt: skip
    return json.loads(out.getvalue())


def test_bootstrap_is_idempotent_and_prints_a_new_key_each_time(db):
    first, second = run_bootstrap(), run_bootstrap("--scopes", "insight:read,query:read")
    assert {k: v for k, v in first.items() if k != "personal_api_key"} == {
        k: v for k, v in second.items() if k != "personal_api_key"
    }
    assert first["personal_api_key"] != second["personal_api_key"]
    assert first["project_api_token"].startswith("phc_")
    assert User.objects.filter(email="boot@example.com").count() == 1
    assert PersonalAPIKey.objects.get(mask_value__endswith=second["personal_api_key"][-4:]).scopes == [
        "insight:read",
        "query:read",
    ]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first['personal_api_key']}")
    assert client.get(f"/api/projects/{first['project_id']}/").json()["name"] == "Boot Project"
    assert (
        APIClient()
        .post("/api/login/", {"email": "boot@example.com", "password": "boot-password-1"}, format="json")
        .status_code
        == 200
    )


def test_bootstrap_runs_without_opening_clickhouse(tmp_path):
    """The command must work while the server holds the embedded ClickHouse directory."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "call_command('bootstrap', '--email', 'a@example.com', '--password', 'pw-123456789',"
        " '--organization', 'O', '--project', 'P');"
        "assert 'chdb' not in sys.modules and 'clickhouse_connect' not in sys.modules, 'ClickHouse was imported'"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 40,
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    assert printed["personal_api_key"].startswith("phx_")
