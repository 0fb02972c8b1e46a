"""Shared fixtures: three users (owner, member, outsider in another organization) and clients for each."""

import os
from dataclasses import dataclass
from pathlib import Path

import freezegun
import pytest
from django.core.cache import cache
from django.test.signals import clear_cache_handlers
from rest_framework.test import APIClient

from insights_server.models import Organization, OrganizationMembership, Team, User
from insights_server.services.organizations import organization_add_member, organization_create
from insights_server.services.personal_api_keys import personal_api_key_create

PASSWORD = "correct-horse-battery"

# freezegun scans every loaded module's attributes when the clock freezes; clickhouse_connect's lazy options
# module imports pandas on attribute access, which crashes inside that scan. Its time is never the one frozen.
freezegun.configure(extend_ignore_list=["clickhouse_connect", "chdb", "pandas"])


@pytest.fixture(scope="session", autouse=True)
def clickhouse_directory_per_worker(tmp_path_factory):
    """chDB lets one process open a directory: every pytest-xdist worker gets its own."""
    from django.conf import settings

    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # make test provides TEST_TMPDIR and removes it afterwards; plain pytest uses pytest's managed temp dirs.
    root = Path(os.environ["TEST_TMPDIR"]) if os.environ.get("TEST_TMPDIR") else tmp_path_factory.mktemp("clickhouse")
    settings.CLICKHOUSE_URL = f"chdb://{root / f'clickhouse-{worker_id}'}"
    settings.INGESTION_SPOOL_DIR = root / f"spool-{worker_id}"
    # One Redis database per pytest-xdist worker: a test may clear its cache without touching the other's.
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        number = int(worker_id[2:]) + 1 if worker_id.startswith("gw") else 1
        base = redis_url.rsplit("/", 1)[0]
        settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": f"{base}/{number}"}}
        settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = f"{base}/{number}"
        clear_cache_handlers(setting="CACHES")
    yield


@dataclass
class World:
    owner: User
    member: User
    outsider: User
    organization: Organization
    team: Team
    other_organization: Organization
    other_team: Team


@pytest.fixture
def world(db) -> World:
    owner = User.objects.create_user("owner@example.com", PASSWORD, first_name="Olive")
    member = User.objects.create_user("member@example.com", PASSWORD, first_name="Max")
    outsider = User.objects.create_user("outsider@example.com", PASSWORD, first_name="Otto")
    organization = organization_create("Acme", owner=owner)
    organization_add_member(organization, member, OrganizationMembership.Level.MEMBER)
    team = Team.objects.get(organization=organization)
    member.current_organization, member.current_team = organization, team
    member.save()
    other_organization = organization_create("Globex", owner=outsider)
    other_team = Team.objects.get(organization=other_organization)
    owner.refresh_from_db()
    return World(owner, member, outsider, organization, team, other_organization, other_team)


def session_client(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def key_client(user: User, scopes: list[str] | None = None, **restrictions) -> APIClient:
    """A client authenticating with a new personal API key in the Authorization header."""
    _, value = personal_api_key_create(user, "test", scopes if scopes is not None else ["*"], **restrictions)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    client.key_value = value
    return client


@pytest.fixture
def owner_client(world: World) -> APIClient:
    return session_client(world.owner)


@pytest.fixture
def member_client(world: World) -> APIClient:
    return session_client(world.member)


@pytest.fixture
def outsider_client(world: World) -> APIClient:
    return session_client(world.outsider)


CLICKHOUSE_TABLES = (
    "events",
    "person",
    "person_distinct_id2",
    "person_distinct_id_overrides",
    "cohortpeople",
    "person_static_cohort",
)


@pytest.fixture(scope="session")
def clickhouse_schema(clickhouse_directory_per_worker):
    from queries.clickhouse.migrations import migrate

    migrate()


@pytest.fixture
def clickhouse(clickhouse_schema):
    """Empty ClickHouse tables for one test (ClickHouse has no transactions to roll back)."""
    from ingestion.spool import get_spool
    from queries.clickhouse import client
    from queries.execution.statements import forget_statements
    from queries.person_overrides import forget_person_overrides

    for table in CLICKHOUSE_TABLES:
        client.command(f"TRUNCATE TABLE {table}")
    forget_person_overrides()
    # Like the result cache: a rolled-back test's project id comes back for the next test's project.
    forget_statements()
    get_spool().file.clear()
    cache.clear()
    yield client
