"""POST /query/ with HogQuery (spec hog-language.md §10-§11.8): PostHog's HogQueryResponse, errors as 200s with an
`ERROR:` result, validation failures as 400s, `run()` of HogQL against captured events, and saved insights."""

import pytest

from queries.hog.errors import GLOBAL_NOT_FOUND, MAX_RUN_CALLS, PARSE_TIMEOUT
from queries.hog.runtime import Limits
from queries.runners.hog_query import HOGQL_FAILED
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

OWN_EVENTS = [
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-06-01T10:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox"}, "2024-06-02T11:00:00Z"),
    ("purchase", "bob", {"amount": 30}, "2024-06-03T09:00:00Z"),
]
OTHER_EVENTS = [("secret_event", "mallory", {"marker": "SECRET-other"}, "2024-06-01T10:00:00Z")]


def hog(client, team_id: int, code, **query):
    return run_query(client, team_id, {"kind": "HogQuery", "code": code, **query})


@pytest.fixture
def events(client, world):
    capture_events(client, world.team, OWN_EVENTS)
    capture_events(client, world.other_team, OTHER_EVENTS)


def test_one_line_program_answers_exactly_the_hog_query_response(owner_client, world):
    response = hog(owner_client, world.team.id, "1 + 2")

    assert response.status_code == 200
    assert response.json() == {"results": 3, "bytecode": None, "coloredBytecode": None, "stdout": ""}


def test_printed_lines_and_returned_containers_are_json(owner_client, world):
    body = hog(owner_client, world.team.id, "print(1)\nprint([1, 'a'])\nreturn {'k': (1, 2), 2: x -> x}").json()

    assert body["stdout"] == "1\n[1, 'a']"
    assert body["results"]["k"] == [1, 2]
    assert body["results"]["2"]["__hogClosure__"] is True


def test_failing_program_answers_200_with_error_result_and_no_stdout(owner_client, world):
    syntax = hog(owner_client, world.team.id, "let x := 1 +")
    runtime = hog(owner_client, world.team.id, "print('lost')\nreturn nope")

    assert syntax.status_code == 200
    assert syntax.json() == {
        "results": "ERROR: no viable alternative at input '+'",
        "bytecode": None,
        "coloredBytecode": None,
        "stdout": None,
    }
    assert runtime.json()["results"] == "ERROR: " + GLOBAL_NOT_FOUND.format(name="nope")
    assert runtime.json()["stdout"] is None


def test_missing_code_runs_as_an_empty_program(owner_client, world):
    assert hog(owner_client, world.team.id, None).json()["results"] is None


@pytest.mark.parametrize(
    "query", [{"kind": "HogQuery", "code": "1", "unknown": 1}, {"kind": "HogQuery", "code": ["not", "text"]}]
)
def test_invalid_hog_query_is_a_400(owner_client, world, query):
    response = run_query(owner_client, world.team.id, query)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"


def test_run_executes_hogql_against_the_projects_events(owner_client, world, events):
    code = (
        "let rows := run('select event, count() from events group by event order by event')\n"
        "for (let row in rows) { print(row[1], row[2]) }\n"
        "return run('select 1 + 1')"
    )
    body = hog(owner_client, world.team.id, code).json()

    assert body["results"] == [[2]]
    assert body["stdout"] == "$pageview 2\npurchase 1"


def test_run_returns_hogql_dates_as_hog_datetimes(owner_client, world, events):
    code = "let t := run('select min(timestamp) from events')[1][1]\nreturn [typeof(t), toString(t)]"

    assert hog(owner_client, world.team.id, code).json()["results"] == ["datetime", "2024-06-01T10:00:00.000Z"]


def test_run_never_sees_another_projects_events(owner_client, world, events):
    attempts = [
        "return run('select event, distinct_id from events')",
        f"return run('select event from events where team_id = {world.other_team.id}')",
        "return run('select count() from events where event = \\'secret_event\\'')",
    ]
    for code in attempts:
        body = hog(owner_client, world.team.id, code).json()
        assert "secret_event" not in str(body) and "mallory" not in str(body), code
    assert hog(owner_client, world.team.id, attempts[2]).json()["results"] == [[0]]


def test_run_of_invalid_hogql_ends_the_program_with_its_message(owner_client, world):
    body = hog(owner_client, world.team.id, "return run('select from where')").json()

    assert body["results"].startswith("ERROR: " + HOGQL_FAILED.format(message=""))
    assert body["stdout"] is None


def test_run_in_a_loop_is_stopped_at_the_run_call_limit(owner_client, world):
    code = "let i := 0\nwhile (true) { run('select 1'); i := i + 1 }"

    assert hog(owner_client, world.team.id, code).json()["results"] == "ERROR: " + MAX_RUN_CALLS.format(
        limit=Limits().max_run_calls
    )


def test_outsider_cannot_run_hog_in_another_project(outsider_client, world):
    assert hog(outsider_client, world.team.id, "1 + 2").status_code in (403, 404)


def test_saved_hog_query_insight_computes_its_result_every_time(owner_client, world, events):
    query = {"kind": "HogQuery", "code": "return run('select count() from events')[1][1]"}
    created = owner_client.post(f"/api/projects/{world.team.id}/insights/", {"query": query}, format="json")
    assert created.status_code == 201, created.json()

    retrieved = owner_client.get(f"/api/projects/{world.team.id}/insights/{created.json()['id']}/").json()
    listed = owner_client.get(f"/api/projects/{world.team.id}/insights/").json()["results"][0]

    assert retrieved["result"] == 3 and retrieved["is_cached"] is False
    assert listed["result"] == 3


def test_program_the_parser_cannot_parse_in_time_is_refused(owner_client, world):
    slow = "let x := 1\nreturn " + " + ".join(["1"] * 80)

    assert hog(owner_client, world.team.id, slow).json()["results"] == "ERROR: " + PARSE_TIMEOUT
