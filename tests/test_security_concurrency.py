"""At most N queries of one project compute at once for API keys: /query/ answers 429, insights a status."""

import pytest

from queries.execution.concurrency import CONCURRENCY_LIMIT_EXCEEDED, ConcurrencyLimitExceeded, api_query_slot
from tests.conftest import key_client

pytestmark = pytest.mark.usefixtures("clickhouse")
QUERY = {"query": {"kind": "HogQLQuery", "query": "select 1 + 1"}}


@pytest.fixture
def one_slot(settings):
    settings.QUERY_API_CONCURRENCY_PER_TEAM = 1
    settings.QUERY_API_CONCURRENCY_WAIT_SECONDS = 0.3


def test_api_key_query_over_the_limit_is_429_in_the_error_shape(world, one_slot):
    client = key_client(world.owner)
    with api_query_slot(world.team.id):  # another request of the project is computing
        response = client.post(f"/api/projects/{world.team.id}/query/", QUERY, format="json")
    assert response.status_code == 429
    assert response.json() == {
        "type": "throttled_error",
        "code": "throttled",
        "detail": "Too many queries are running right now — please try again in a moment.",
        "attr": None,
    }
    assert client.post(f"/api/projects/{world.team.id}/query/", QUERY, format="json").status_code == 200


def test_sessions_and_other_projects_are_not_limited(world, owner_client, one_slot):
    with api_query_slot(world.team.id):
        assert owner_client.post(f"/api/projects/{world.team.id}/query/", QUERY, format="json").status_code == 200
        other = key_client(world.outsider)
        assert other.post(f"/api/projects/{world.other_team.id}/query/", QUERY, format="json").status_code == 200


def test_cache_hits_take_no_slot(world, one_slot):
    client = key_client(world.owner)
    assert client.post(f"/api/projects/{world.team.id}/query/", QUERY, format="json").status_code == 200
    with api_query_slot(world.team.id):
        response = client.post(f"/api/projects/{world.team.id}/query/", QUERY, format="json")
    assert response.status_code == 200 and response.json()["is_cached"] is True


def test_insight_over_the_limit_answers_200_with_the_status_posthog_clients_match(world, one_slot):
    client = key_client(world.owner)
    insight = client.post(
        f"/api/projects/{world.team.id}/insights/",
        {"name": "n", "query": {"kind": "DataVisualizationNode", "source": QUERY["query"] | {"query": "select 3"}}},
        format="json",
    ).json()
    with api_query_slot(world.team.id):
        response = client.get(f"/api/projects/{world.team.id}/insights/{insight['id']}/?refresh=blocking")
    assert response.status_code == 200
    body = response.json()
    assert body["result"] is None
    assert body["query_status"]["error_message"] == CONCURRENCY_LIMIT_EXCEEDED


def test_the_slot_is_released_after_an_error(one_slot):
    with pytest.raises(RuntimeError), api_query_slot(999_999):
        raise RuntimeError("boom")
    with api_query_slot(999_999), pytest.raises(ConcurrencyLimitExceeded), api_query_slot(999_999):
        pass  # the only slot is held again, so a second taker is refused


def test_hogql_with_an_api_key_has_posthogs_own_hourly_throttle(world, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "query": "2/hour"}
    client = key_client(world.owner)
    codes = [client.post(f"/api/projects/{world.team.id}/query/", QUERY, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    trends = {"query": {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}}
    assert client.post(f"/api/projects/{world.team.id}/query/", trends, format="json").status_code == 200
