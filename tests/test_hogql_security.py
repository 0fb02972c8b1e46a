"""HogQL tenancy: attempts to read another project's data through POST /query/ are rejected or see only own rows.

Two projects hold recognisable events and persons (each with a merged person, so the overrides join is used too).
Every attempt runs as the owner of `world.team` and must either fail with a PostHog-shaped 400 (`type`
`validation_error` and a readable `detail`) or succeed with rows of `world.team` only: none of the other project's
markers (distinct ids, event names, property values, emails, event and person uuids) may appear, and the printed
ClickHouse SQL must guard every table reference with the project's team_id.

Attempts are grouped by theme, one test per group, so the data set is captured once per group; each failure names
its attempt.
"""

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from queries.clickhouse import client as clickhouse_client
from tests.query_helpers import capture_events, hogql

pytestmark = pytest.mark.usefixtures("clickhouse")

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Two batches per project: the identify in the second merges the anonymous person of the first into a person that
# already exists, which writes a person_distinct_id_overrides row.
OWN_FIRST_BATCH = [
    ("$pageview", "own-anon", {"marker": "own-marker"}, "2024-06-01T09:00:00Z"),
    ("$pageview", "own-alice", {"$browser": "Chrome", "marker": "own-marker"}, "2024-06-01T10:00:00Z"),
]
OWN_SECOND_BATCH = [
    ("$identify", "own-alice", {"$anon_distinct_id": "own-anon", "$set": {"email": "alice@own.example"}},
     "2024-06-01T10:05:00Z"),
    ("$pageview", "own-bob", {"$browser": "Firefox", "marker": "own-marker"}, "2024-06-02T10:00:00Z"),
    ("purchase", "own-bob", {"amount": 30, "marker": "own-marker"}, "2024-06-03T09:00:00Z"),
]  # fmt: skip
OTHER_FIRST_BATCH = [
    ("$pageview", "other-anon", {"marker": "SECRET-other-marker"}, "2024-06-01T09:00:00Z"),
    ("$pageview", "other-mallory", {"$browser": "Chrome", "marker": "SECRET-other-marker"}, "2024-06-01T10:00:00Z"),
]
OTHER_SECOND_BATCH = [
    ("$identify", "other-mallory", {"$anon_distinct_id": "other-anon", "$set": {"email": "mallory@other.example"}},
     "2024-06-01T10:05:00Z"),
    ("secret_event", "other-trent", {"marker": "SECRET-other-marker", "$set": {"email": "trent@other.example"}},
     "2024-06-02T12:00:00Z"),
]  # fmt: skip
# Text only the other project's rows contain (its event and person uuids are added by the fixture).
OTHER_MARKERS = (
    "other-anon",
    "other-mallory",
    "other-trent",
    "secret_event",
    "SECRET-other-marker",
    "mallory@other.example",
    "trent@other.example",
)
OWN_EVENT_COUNT = 5
OWN_IDS = ["own-alice", "own-anon", "own-bob"]
OWN_ID_ROWS = [[distinct_id] for distinct_id in OWN_IDS]
OWN_EVENT_ROWS = [["own-alice"], ["own-alice"], ["own-anon"], ["own-bob"], ["own-bob"]]
ALICE = "alice@own.example"
# A named tuple whose `team_id` element is the own project's id. ClickHouse resolves `<name>.team_id` to its element
# when an expression alias has the same name as a table.
FAKE_TEAM = "JSONExtract('{\"team_id\": OWN_TEAM}', 'Tuple(team_id Int64)')"
GUARDED_SUBQUERY_TABLES = ("person", "person_distinct_id2", "person_distinct_id_overrides")


@dataclass
class Data:
    team_id: int
    other_team_id: int
    markers: tuple[str, ...]

    def sql(self, text: str) -> str:
        text = text.replace("FAKE_TEAM", FAKE_TEAM)
        return text.replace("OWN_TEAM", str(self.team_id)).replace("OTHER_TEAM", str(self.other_team_id))


@pytest.fixture
def teams(world) -> Data:
    """The two projects without data: enough for attempts that must be rejected before reading anything."""
    return Data(world.team.id, world.other_team.id, OTHER_MARKERS)


@pytest.fixture
def data(client, world) -> Data:
    for team, batches in ((world.team, (OWN_FIRST_BATCH, OWN_SECOND_BATCH)),
                          (world.other_team, (OTHER_FIRST_BATCH, OTHER_SECOND_BATCH))):  # fmt: skip
        for batch in batches:
            capture_events(client, team, batch)
    stored = (
        "SELECT (SELECT count() FROM events WHERE team_id = {t:Int64}), "
        "(SELECT uniqExact(id) FROM person WHERE team_id = {t:Int64}), "
        "(SELECT count() FROM person_distinct_id_overrides WHERE team_id = {t:Int64})"
    )
    # Events, persons (with the merged-away one) and overrides of each project.
    assert clickhouse_client.query(stored, parameters={"t": world.team.id}).result_rows == [(5, 3, 1)]
    assert clickhouse_client.query(stored, parameters={"t": world.other_team.id}).result_rows == [(4, 3, 1)]
    other = {"t": world.other_team.id}
    uuids = clickhouse_client.query(
        "SELECT toString(uuid) FROM events WHERE team_id = {t:Int64} "
        "UNION ALL SELECT toString(id) FROM person WHERE team_id = {t:Int64}",
        parameters=other,
    ).result_rows
    return Data(world.team.id, world.other_team.id, OTHER_MARKERS + tuple(row[0] for row in uuids))


def ask(api_client, data: Data, sql: str, **fields):
    """Runs the HogQL (tokens filled in) as the own project, never from the result cache."""
    return hogql(api_client, data.team_id, data.sql(sql), refresh="force_blocking", **fields)


def assert_guarded(clickhouse: str, team_id: int) -> None:
    """Every events table is guarded by its alias, every subquery over a physical table inside itself."""
    for table in GUARDED_SUBQUERY_TABLES:
        references = clickhouse.count(f"FROM {table} ")
        assert references == clickhouse.count(f"FROM {table} WHERE equals(team_id, {team_id}) GROUP BY"), clickhouse
    for alias in re.findall(r"FROM events AS (`(?:[^`\\]|\\.)*`|\w+)", clickhouse):
        assert f"equals({alias}.team_id, {team_id})" in clickhouse, clickhouse
    wrapped = clickhouse.count("FROM events LEFT JOIN ")
    assert clickhouse.count(f"WHERE equals(events.team_id, {team_id}))") >= wrapped, clickhouse


def own_only(response, data: Data) -> dict:
    """The query succeeded, its rows hold none of the other project's markers, and its SQL is guarded."""
    assert response.status_code == 200, response.json()
    body = response.json()
    text = json.dumps(body["results"], default=str)
    leaked = [marker for marker in data.markers if marker in text]
    assert not leaked, f"the other project's data leaked: {leaked}"
    assert_guarded(body["clickhouse"], data.team_id)
    return body


def rejected(response, detail: str) -> dict:
    """A PostHog-shaped 400 whose readable `detail` contains `detail`."""
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["type"] == "validation_error", body
    assert detail in body["detail"], body
    return body


def rejected_or_own(response, data: Data) -> None:
    if response.status_code == 400:
        assert response.json()["type"] == "validation_error" and response.json()["detail"]
    else:
        own_only(response, data)


def rows(results: list) -> list:
    return sorted(results, key=lambda row: json.dumps(row, default=str))


def check_own_rows(api_client, data: Data, attempts: list[tuple[str, str, list | None]]) -> None:
    """Each (name, HogQL, expected rows in any order or None) returns own rows only; all failures are reported."""
    failures = []
    for name, sql, expected in attempts:
        try:
            body = own_only(ask(api_client, data, sql), data)
            if expected is not None:
                assert rows(body["results"]) == rows(expected)
        except AssertionError as error:
            failures.append(f"{name}: {data.sql(sql)}\n    {error}")
    assert not failures, "\n".join(failures)


def check_rejected(api_client, data: Data, attempts: list[tuple[str, str, str]]) -> None:
    """Each (name, HogQL, part of the detail) is a 400 validation error; all failures are reported."""
    failures = []
    for name, sql, detail in attempts:
        try:
            rejected(ask(api_client, data, sql), data.sql(detail))
        except AssertionError as error:
            failures.append(f"{name}: {data.sql(sql)}\n    {error}")
    assert not failures, "\n".join(failures)


def test_team_id_predicates_cannot_widen_the_guard(owner_client, data):
    check_own_rows(owner_client, data, [
        ("where team_id = other", "select distinct_id from events where team_id = OTHER_TEAM", []),
        ("or team_id = other", "select distinct distinct_id from events where team_id = OWN_TEAM or team_id = "
         "OTHER_TEAM", OWN_ID_ROWS),
        ("or 1 = 1", "select count() from events where 1 = 1 or team_id = OTHER_TEAM", [[OWN_EVENT_COUNT]]),
        ("table alias or true", "select distinct e.distinct_id from events as e where e.team_id = OTHER_TEAM or true",
         OWN_ID_ROWS),
        ("not own team", "select count() from events where not(team_id = OWN_TEAM)", [[0]]),
        ("prewhere", "select count() from events prewhere team_id = OTHER_TEAM or 1 = 1", [[OWN_EVENT_COUNT]]),
        ("having", "select event, count() from events group by event having 1 = 1 or max(team_id) = OTHER_TEAM",
         [["$identify", 1], ["$pageview", 3], ["purchase", 1]]),
        ("team_id values", "select count(), min(team_id) = OWN_TEAM, max(team_id) = OWN_TEAM from events "
         "where 1 = 1 or team_id = OTHER_TEAM", [[OWN_EVENT_COUNT, 1, 1]]),
        ("other distinct ids", "select distinct_id from events where distinct_id in ('other-mallory', 'other-trent')",
         []),
        ("other property values", "select count() from events where properties.marker = 'SECRET-other-marker' "
         "or event = 'secret_event'", [[0]]),
        ("other person emails", "select count() from events where person.properties.email like '%other%'", [[0]]),
    ])  # fmt: skip


def test_subqueries_carry_their_own_guard(owner_client, data):
    check_own_rows(owner_client, data, [
        ("FROM subquery", "select distinct x.d from (select distinct_id as d from events where team_id = OTHER_TEAM "
         "or 1 = 1) as x", OWN_ID_ROWS),
        ("FROM subquery without alias", "select count() from (select * from events)", [[OWN_EVENT_COUNT]]),
        ("scalar subqueries in SELECT", "select (select count() from events) as c, "
         "(select arraySort(groupUniqArray(distinct_id)) from events) as ids", [[OWN_EVENT_COUNT, OWN_IDS]]),
        ("IN subquery", "select count() from events where distinct_id in (select distinct_id from events "
         "where 1 = 1 or team_id = OTHER_TEAM)", [[OWN_EVENT_COUNT]]),
        ("IN subquery of other ids", "select distinct distinct_id from events where distinct_id in "
         "(select arrayJoin(['other-mallory', 'own-bob']))", [["own-bob"]]),
        ("scalar subquery in WHERE", "select count() from events where (select count() from events "
         "where team_id = OTHER_TEAM) = 0", [[OWN_EVENT_COUNT]]),
        ("joined subquery of the other team", "select count() from events e join (select distinct_id from events "
         "where team_id = OTHER_TEAM) as x on e.distinct_id = x.distinct_id", [[0]]),
        ("persons subquery with other emails", "select count() from events where person_id in "
         "(select id from persons where properties.email like '%other%')", [[0]]),
    ])  # fmt: skip


def test_ctes_are_printed_as_guarded_subqueries(owner_client, data):
    check_own_rows(owner_client, data, [
        ("CTE", "with x as (select * from events) select count(), arraySort(groupUniqArray(x.distinct_id)) from x",
         [[OWN_EVENT_COUNT, OWN_IDS]]),
        ("CTE named events", "with events as (select * from events where team_id = OTHER_TEAM) "
         "select count() from events", [[0]]),
        ("CTE used twice", "with x as (select distinct_id from events) select count() from x as a, x as b",
         [[OWN_EVENT_COUNT**2]]),
        ("CTE in a subquery", "with x as (select distinct_id from events) select count() from (select * from x)",
         [[OWN_EVENT_COUNT]]),
        ("column CTE holding a subquery", "with (select groupUniqArray(distinct_id) from events) as ids "
         "select arraySort(ids)", [[OWN_IDS]]),
        ("CTE over persons", "with p as (select * from persons) select count() from p", [[2]]),
    ])  # fmt: skip


def test_joins_guard_every_table(owner_client, data):
    check_own_rows(owner_client, data, [
        ("inner join events to events", "select e1.distinct_id, e2.event from events e1 join events e2 "
         "on e1.uuid = e2.uuid", [["own-alice", "$identify"], ["own-alice", "$pageview"], ["own-anon", "$pageview"],
                                  ["own-bob", "$pageview"], ["own-bob", "purchase"]]),
        ("left join on true", "select count() from events e1 left join events e2 on 1 = 1", [[25]]),
        ("right join", "select count() from events e1 right join events e2 on e1.distinct_id = e2.distinct_id",
         [[9]]),
        ("cross join", "select count() from events e1 cross join events e2", [[25]]),
        ("comma join", "select arraySort(groupUniqArray(e2.distinct_id)), count() from events e1, events e2",
         [[OWN_IDS, 25]]),
        ("inner join events to persons", "select e.distinct_id, p.properties.email from events e join persons p "
         "on p.id = e.person_id", [["own-alice", ALICE], ["own-alice", ALICE], ["own-anon", ALICE],
                                   ["own-bob", None], ["own-bob", None]]),
        ("persons joined to events", "select p.properties.email, e.distinct_id from persons p join events e "
         "on p.id = e.person_id", [[ALICE, "own-alice"], [ALICE, "own-alice"], [ALICE, "own-anon"],
                                   [None, "own-bob"], [None, "own-bob"]]),
        ("person_distinct_ids right join events", "select count() from person_distinct_ids pdi right join events e "
         "on 1 = 1", [[15]]),
        ("persons join person_distinct_ids", "select p.properties.email, pdi.distinct_id from persons p "
         "join person_distinct_ids pdi on p.id = pdi.person_id",
         [[ALICE, "own-alice"], [ALICE, "own-anon"], [None, "own-bob"]]),
        ("events join person_distinct_ids", "select e.distinct_id, pdi.distinct_id from events e "
         "join person_distinct_ids pdi on e.distinct_id = pdi.distinct_id where e.event = 'purchase'",
         [["own-bob", "own-bob"]]),
        ("numbers left join events", "select count() from numbers(2) n left join events e on 1 = 1", [[10]]),
        ("persons", "select count() from persons", [[2]]),
        ("person_distinct_ids", "select distinct_id from person_distinct_ids", OWN_ID_ROWS),
        ("merged person_id", "select count(distinct person_id), count(distinct person.id) from events", [[2, 2]]),
    ])  # fmt: skip


def test_set_operations_guard_each_select(owner_client, data):
    check_own_rows(owner_client, data, [
        ("UNION ALL the other team", "select distinct_id from events union all select distinct_id from events "
         "where team_id = OTHER_TEAM", OWN_EVENT_ROWS),
        ("UNION ALL persons", "select distinct_id from events where event = 'purchase' union all "
         "select toString(properties) from persons", [["own-bob"], [json.dumps({"email": ALICE})], ["{}"]]),
        ("UNION DISTINCT person_distinct_ids", "select distinct_id from events union distinct "
         "select distinct_id from person_distinct_ids", OWN_ID_ROWS),
        ("INTERSECT", "select distinct_id from events intersect select 'other-mallory'", []),
        ("EXCEPT (ALL by default)", "select distinct_id from events except select 'own-alice'",
         [["own-alice"], ["own-anon"], ["own-bob"], ["own-bob"]]),
    ])  # fmt: skip


def test_windows_sample_array_join_and_limit_by_see_only_own_rows(owner_client, data):
    check_own_rows(owner_client, data, [
        ("window over everything", "select count() over () from events", [[OWN_EVENT_COUNT]] * OWN_EVENT_COUNT),
        ("window partitioned by team", "select count() over (partition by team_id) from events",
         [[OWN_EVENT_COUNT]] * OWN_EVENT_COUNT),
        ("SAMPLE", "select count() from events sample 1", [[OWN_EVENT_COUNT]]),
        ("SAMPLE OFFSET", "select distinct_id from events sample 1/2 offset 1/2", None),
        ("ARRAY JOIN", "select count() from events array join [1, 2] as x", [[2 * OWN_EVENT_COUNT]]),
        ("LEFT ARRAY JOIN of a subquery", "select count() from events left array join "
         "(select groupArray(distinct_id) from events) as x", [[OWN_EVENT_COUNT**2]]),
        ("LIMIT BY team_id", "select distinct_id from events order by distinct_id limit 1 by team_id",
         [["own-alice"]]),
    ])  # fmt: skip


def test_lambdas_and_arrays_over_subqueries_see_only_own_rows(owner_client, data):
    check_own_rows(owner_client, data, [
        ("arrayJoin of a subquery", "select arrayJoin((select groupUniqArray(distinct_id) from events)) as d",
         OWN_ID_ROWS),
        ("arrayMap over a subquery", "select arraySort(arrayMap(x -> concat(x, '!'), "
         "(select groupUniqArray(distinct_id) from events)))", [[[f"{i}!" for i in OWN_IDS]]]),
        ("arrayFilter for other ids", "select arrayFilter(x -> x like 'other-%', "
         "(select groupArray(distinct_id) from events))", [[[]]]),
        ("arrayExists in WHERE", "select count() from events where arrayExists(x -> x = distinct_id, "
         "(select groupArray(distinct_id) from events where team_id = OTHER_TEAM))", [[0]]),
        ("subquery in a lambda", "select arrayMap(x -> (select count() from events), [1, 2])",
         [[[OWN_EVENT_COUNT, OWN_EVENT_COUNT]]]),
        ("arrayReduce of a subquery", "select arraySort(arrayReduce('groupUniqArray', "
         "(select groupArray(distinct_id) from events)))", [[OWN_IDS]]),
    ])  # fmt: skip


def test_lambda_argument_named_like_a_table_is_harmless(owner_client, data):
    for sql in (
        "select arrayMap(events -> (select count() from events), [FAKE_TEAM])",
        "select count() from events where arrayExists(events -> events.team_id = OWN_TEAM, [FAKE_TEAM])",
    ):
        rejected_or_own(ask(owner_client, data, sql), data)


def test_quotes_comments_and_identifiers_cannot_change_the_query(owner_client, data):
    check_own_rows(owner_client, data, [
        ("escaped quote", "select count() from events where event = '\\'' or 1 = 1 --'", [[OWN_EVENT_COUNT]]),
        ("hex-escaped quote", "select count() from events where event = '\\x27 or 1 = 1 --'", [[0]]),
        ("doubled quotes", "select count() from events where event = 'a'' or ''1''=''1'", [[0]]),
        ("parameter lookalike", "select '{hogql_val_1:String}', 'x'", [["{hogql_val_1:String}", "x"]]),
        ("-- comment", "select count() from events -- where team_id = OTHER_TEAM", [[OWN_EVENT_COUNT]]),
        ("/* */ comments", "select count() /* from system.tables */ from events /* or 1 = 1 */",
         [[OWN_EVENT_COUNT]]),
        ("# comment", "select count() from events # where team_id = OTHER_TEAM", [[OWN_EVENT_COUNT]]),
        ("trailing semicolon", "select count() from events;", [[OWN_EVENT_COUNT]]),
        ("backquoted table", "select count() from `events`", [[OWN_EVENT_COUNT]]),
        ("double-quoted table", 'select count() from "events"', [[OWN_EVENT_COUNT]]),
        ("backquote in a table alias", "select count() from events as `x`` or 1`", [[OWN_EVENT_COUNT]]),
        ("backquote in a column alias", "select count() as `c`` from events` from events", [[OWN_EVENT_COUNT]]),
        ("FORMAT after the table", "select count() from events format JSON", [[OWN_EVENT_COUNT]]),
        ("30 nested subqueries", "select count() from " + "(select * from " * 30 + "events" + ")" * 30,
         [[OWN_EVENT_COUNT]]),
        ("20 nested parentheses", "select count() from events where " + "(" * 20 + "1 = 1 or team_id = OTHER_TEAM"
         + ")" * 20, [[OWN_EVENT_COUNT]]),
    ])  # fmt: skip


def test_cte_named_team_id_is_rejected(owner_client, teams):
    check_rejected(owner_client, teams, [
        ("CTE named team_id", "with team_id as (select 1 as x) select count() from events join team_id on 1 = 1",
         'CTE name "team_id" is reserved'),
        ("CTE named like our aliases", "with __t1 as (select 1 as x) select count() from events", "reserved"),
        ("alias named like our aliases", "select 1 as __t1 from events", "reserved"),
        ("table alias named like ours", "select count() from events as __t9", "reserved"),
        ("lambda argument named like ours", "select arrayMap(__t1 -> 1, [1])", "reserved"),
    ])  # fmt: skip


def test_printed_sql_guards_each_events_reference(owner_client, data):
    """(HogQL, how many events references it has, by the user's alias): one guard per events table reference.

    The printed SQL names tables with aliases of its own (`__tN`), which no user name can shadow.
    """
    attempts = [
        ("select count() from events where 1 = 1 or team_id = OTHER_TEAM", {"events": 1}),
        ("select count() from events e prewhere e.team_id = OTHER_TEAM", {"e": 1}),
        ("select (select count() from events) as c, x.d from (select distinct_id as d from events) as x "
         "where x.d in (select distinct_id from events)", {"events": 3}),
        ("with x as (select * from events) select count() from x as a, x as b", {"events": 2}),
        ("select count() from events e1 join events e2 on e1.uuid = e2.uuid", {"e1": 1, "events": 1}),
        ("select count() from persons p join events e on p.id = e.person_id cross join events e2", {"events": 2}),
        ("select distinct_id from events union all select distinct_id from events e except select 'a'",
         {"events": 1, "e": 1}),
        ("select count(distinct person_id) from events f", {"f": 1}),
    ]  # fmt: skip
    for sql, guards in attempts:
        clickhouse = own_only(ask(owner_client, data, sql), data)["clickhouse"]
        aliases = re.findall(r"FROM events AS (__t\d+)", clickhouse)
        wrapped = clickhouse.count("FROM events LEFT JOIN ")
        assert len(aliases) + wrapped == sum(guards.values()), clickhouse
        for alias in aliases:
            assert clickhouse.count(f"equals({alias}.team_id, {data.team_id})") == 1, clickhouse
        assert clickhouse.count(f"WHERE equals(events.team_id, {data.team_id}))") == wrapped, clickhouse


def test_team_id_is_not_an_alias(owner_client, teams):
    check_rejected(owner_client, teams, [
        ("alias", "select distinct_id as team_id from events", "reserved"),
        ("backquoted alias", "select distinct_id as `team_id` from events", 'Alias "team_id" is reserved'),
        ("double-quoted alias", 'select distinct_id as "team_id" from events', 'Alias "team_id" is reserved'),
        ("upper case", "select distinct_id as TEAM_ID from events", "reserved keyword"),
        ("table alias", "select 1 from events as team_id", "reserved keyword"),
        ("subquery alias", "select 1 from (select 1) as team_id", "reserved keyword"),
        ("array join alias", "select 1 from events array join [OTHER_TEAM] as team_id", "reserved keyword"),
        ("duplicate table alias", "select 1 from events a, events a", 'Duplicate table alias "a"'),
    ])  # fmt: skip


def test_table_functions_are_rejected(owner_client, teams):
    check_rejected(owner_client, teams, [
        ("file", "select * from file('/etc/passwd')", "Table function `file` is not available."),
        ("url", "select * from url('http://169.254.169.254/', CSV)", "Table function `url` is not available."),
        ("remote", "select * from remote('127.0.0.1', default.events)", "Table function `remote` is not available."),
        ("remoteSecure", "select * from remoteSecure('127.0.0.1', default.events)",
         "Table function `remoteSecure` is not available."),
        ("s3", "select * from s3('http://bucket/key')", "Table function `s3` is not available."),
        ("mysql", "select * from mysql('h:3306', 'd', 't', 'u', 'p')", "Table function `mysql` is not available."),
        ("postgresql", "select * from postgresql('h:5432', 'd', 't', 'u', 'p')",
         "Table function `postgresql` is not available."),
        ("cluster", "select * from cluster('default', default.events)", "Table function `cluster` is not available."),
        ("clusterAllReplicas", "select * from clusterAllReplicas('default', default.events)",
         "Table function `clusterAllReplicas` is not available."),
        ("merge", "select * from merge('default', '^events$')", "Table function `merge` is not available."),
        ("input", "select * from input('a String')", "Table function `input` is not available."),
        ("generateRandom", "select * from generateRandom('a String')",
         "Table function `generateRandom` is not available."),
        ("executable", "select * from executable('cat /etc/passwd', 'TSV', 'a String')",
         "Table function `executable` is not available."),
        ("dictionary", "select * from dictionary('d')", "Table function `dictionary` is not available."),
        ("view", "select * from view(select * from events)", "no viable alternative"),
        ("table function in a join", "select count() from events e join file('x') f on 1 = 1",
         "Table function `file` is not available."),
        ("numbers with 3 arguments", "select * from numbers(1, 2, 3)",
         "Table function 'numbers' expects 1 to 2 arguments, found 3"),
        ("numbers of a subquery", "select * from numbers((select count() from events))",
         "Table function 'numbers' takes whole numbers"),
    ])  # fmt: skip


def test_clickhouse_and_physical_tables_are_unknown(owner_client, teams):
    check_rejected(owner_client, teams, [
        ("system.tables", "select * from system.tables", "Unknown table `system.tables`."),
        ("system.one", "select * from system.one", "Unknown table `system.one`."),
        ("system.databases", "select name from system.databases", "Unknown table `system.databases`."),
        ("information_schema", "select * from information_schema.tables",
         "Unknown table `information_schema.tables`."),
        ("INFORMATION_SCHEMA", "select * from INFORMATION_SCHEMA.COLUMNS",
         "Unknown table `INFORMATION_SCHEMA.COLUMNS`."),
        ("person", "select * from person", "Unknown table `person`."),
        ("person_distinct_id2", "select * from person_distinct_id2", "Unknown table `person_distinct_id2`."),
        ("person_distinct_id_overrides", "select * from person_distinct_id_overrides",
         "Unknown table `person_distinct_id_overrides`."),
        ("sharded_events", "select * from sharded_events", "Unknown table `sharded_events`."),
        ("migrations", "select * from insights_clickhouse_migrations",
         "Unknown table `insights_clickhouse_migrations`."),
        ("database-qualified", "select * from default.events", "Unknown table `default.events`."),
        ("backquoted database", "select * from `default`.`events`", "Unknown table `default.events`."),
        ("joined raw person", "select count() from events e join person p on e.distinct_id = p.id",
         "Unknown table `person`."),
        ("system table in a subquery", "select 1 from events where 1 in (select 1 from system.one)",
         "Unknown table `system.one`."),
        ("raw table in a CTE", "with x as (select * from person) select * from x", "Unknown table `person`."),
        ("system table in a UNION", "select distinct_id from events union all select name from system.tables",
         "Unknown table `system.tables`."),
        ("FINAL", "select distinct_id from events final", "FINAL is not supported"),
    ])  # fmt: skip


def test_clauses_and_statements_outside_the_grammar_are_rejected(owner_client, teams):
    check_rejected(owner_client, teams, [
        ("SETTINGS", "select distinct_id from events settings readonly = 0",
         "Unsupported: SelectStmt.settingsClause()"),
        ("SETTINGS limits", "select 1 from events settings max_execution_time = 0, max_result_rows = 0",
         "Unsupported: SelectStmt.settingsClause()"),
        ("INTO OUTFILE", "select distinct_id from events into outfile '/tmp/x'", "no viable alternative"),
        ("FORMAT after WHERE", "select distinct_id from events where 1 = 1 format JSON", "no viable alternative"),
        ("two statements", "select 1; select distinct_id from events where team_id = OTHER_TEAM",
         "mismatched input 'select'"),
        ("DROP after a SELECT", "select distinct_id from events; drop table events", "mismatched input 'drop'"),
        ("INSERT", "insert into events (team_id) values (OTHER_TEAM)", "mismatched input 'insert'"),
        ("unterminated comment", "select count() from events /* where team_id = OTHER_TEAM",
         "no viable alternative"),
        ("Cyrillic e", "select distinct_id from \u0435vents", "Unexpected character U+0435"),
        ("backquoted Cyrillic e", "select distinct_id from `\u0435vents`", "Unknown table `\u0435vents`."),
        ("zero-width space", "select distinct_id from events\u200b", "Unexpected character U+200B"),
        ("SQL in backquotes", "select * from `events where 1 = 1`", "Unknown table `events where 1 = 1`."),
        ("CAST", "select cast(team_id as String) from events", "Unsupported syntax: TypeCast"),
    ])  # fmt: skip


def test_functions_outside_the_allow_list_are_rejected(owner_client, teams):
    check_rejected(owner_client, teams, [
        ("dictGet", "select dictGet('d', 'a', toUInt64(1))", "Unsupported function call 'dictGet(...)'."),
        ("joinGet", "select joinGet('j', 'a', 1)", "Unsupported function call 'joinGet(...)'."),
        ("getSetting", "select getSetting('readonly')", "Unsupported function call 'getSetting(...)'."),
        ("currentDatabase", "select currentDatabase()", "Unsupported function call 'currentDatabase(...)'."),
        ("hostName", "select hostName()", "Unsupported function call 'hostName(...)'."),
        ("version", "select version()", "Unsupported function call 'version(...)'."),
        ("currentUser", "select currentUser()", "Unsupported function call 'currentUser(...)'."),
        ("file as a function", "select file('/etc/passwd')", "Unsupported function call 'file(...)'."),
        ("url as a function", "select url('http://example.com')", "Unsupported function call 'url(...)'."),
        ("sleep", "select sleep(3)", "Unsupported function call 'sleep(...)'."),
        ("sleepEachRow", "select sleepEachRow(1) from events", "Unsupported function call 'sleepEachRow(...)'."),
        ("throwIf", "select throwIf(1)", "Unsupported function call 'throwIf(...)'."),
        ("getMacro", "select getMacro('shard')", "Unsupported function call 'getMacro(...)'."),
        ("function in WHERE", "select count() from events where hostName() != ''",
         "Unsupported function call 'hostName(...)'."),
    ])  # fmt: skip


def test_bad_limits_are_rejected(owner_client, teams):
    check_rejected(owner_client, teams, [
        ("negative LIMIT", "select 1 limit -1", "LIMIT and OFFSET cannot be negative"),
        ("negative OFFSET", "select 1 limit 1 offset -5", "LIMIT and OFFSET cannot be negative"),
        ("subquery LIMIT", "select 1 limit (select count() from events)",
         "LIMIT, OFFSET and LIMIT BY take a whole number"),
        ("string LIMIT BY", "select 1 limit '1' by 1", "LIMIT, OFFSET and LIMIT BY take a whole number"),
    ])  # fmt: skip


def test_huge_limits_are_capped_at_50000(owner_client, teams):
    body = ask(owner_client, teams, "select number from numbers(60000) limit 60000").json()
    assert len(body["results"]) == 50_000 and body["clickhouse"].endswith("LIMIT 50000")
    placeholder = ask(owner_client, teams, "select number from numbers(60000) limit {n}", values={"n": 10**9}).json()
    assert len(placeholder["results"]) == 50_000
    outer = ask(owner_client, teams, "select * from (select number from numbers(60000) limit 60000) limit 60000")
    assert len(outer.json()["results"]) == 50_000
    default = ask(owner_client, teams, "select number from numbers(60000)").json()
    assert len(default["results"]) == 100 and default["hasMore"] is True


def test_offset_tricks_stay_within_own_rows(owner_client, data):
    far = own_only(ask(owner_client, data, "select distinct_id from events limit 10 offset 1000000000"), data)
    assert far["results"] == []
    paged = ask(owner_client, data, "select distinct_id from events order by distinct_id limit 1 offset 4")
    assert own_only(paged, data)["results"] == [["own-bob"]]
    beyond = own_only(ask(owner_client, data, "select distinct_id from events order by distinct_id offset 5"), data)
    assert beyond["results"] == [] and beyond["hasMore"] is False


def test_union_of_huge_limits_is_capped_at_50000(owner_client, teams):
    sql = "select number from numbers(60000) limit 60000 union all select number from numbers(60000) limit 60000"
    body = ask(owner_client, teams, sql).json()
    assert len(body["results"]) <= 50_000


def test_limit_beyond_64_bits_is_capped(owner_client, teams):
    response = ask(owner_client, teams, "select number from numbers(100) limit 100000000000000000000000")
    assert response.status_code == 200, response.json()
    assert len(response.json()["results"]) == 100


def test_placeholder_values_are_bound_as_parameters(owner_client, data):
    injection = "a' or 1=1 --"
    response = ask(
        owner_client, data, "select distinct_id from events where distinct_id = {x}", values={"x": injection}
    )
    body = own_only(response, data)
    assert body["results"] == []
    assert injection not in body["clickhouse"] and "{hogql_val_0:String}" in body["clickhouse"]
    lookalike = ask(owner_client, data, "select {x}, 'y'", values={"x": "{hogql_val_1:String}"})
    assert lookalike.json()["results"] == [["{hogql_val_1:String}", "y"]]
    listed = ask(owner_client, data, "select distinct distinct_id from events where distinct_id in {ids}",
                 values={"ids": ["other-mallory", "own-bob"]})  # fmt: skip
    assert own_only(listed, data)["results"] == [["own-bob"]]


def test_placeholder_misuse_is_rejected(owner_client, teams):
    attempts = [
        ("string for team_id", "select count() from events where team_id = {x}", {"x": "1 or 1=1"},
         "Cannot convert string '1 or 1=1' to type Int64"),
        ("placeholder as a table", "select * from {x}", {"x": "events"}, "Unsupported table expression"),
        ("object value", "select {x}", {"x": {"sql": "1"}}, "Unsupported constant: dict"),
        ("string LIMIT", "select 1 limit {x}", {"x": "1; drop table events"},
         "LIMIT, OFFSET and LIMIT BY take a whole number"),
        ("unknown name", "select {y}", {"x": 1}, "Placeholder {y} is not available in this context."),
        ("no values", "select {x}", None, "Unresolved placeholder: {x}"),
        ("filters without events", "select count() from persons where {filters}", None,
         "Cannot use 'filters' placeholder"),
        ("filters without FROM", "select {filters}", None, "Cannot use 'filters' placeholder"),
        ("filters field", "select {filters.team_id}", None, "Unsupported filters placeholder: {filters.team_id}"),
    ]  # fmt: skip
    failures = []
    for name, sql, values, detail in attempts:
        try:
            rejected(ask(owner_client, teams, sql, **({"values": values} if values is not None else {})), detail)
        except AssertionError as error:
            failures.append(f"{name}: {sql}\n    {error}")
    assert not failures, "\n".join(failures)


def test_filters_placeholder_stays_within_own_rows(owner_client, data):
    marker = {"properties": [{"type": "event", "key": "marker", "value": "SECRET-other-marker", "operator": "exact"}]}
    body = own_only(ask(owner_client, data, "select count() from events where {filters}", filters=marker), data)
    assert body["results"] == [[0]]
    widened = {"properties": [{"type": "hogql", "key": data.sql("1 = 1 or team_id = OTHER_TEAM")}]}
    body = own_only(ask(owner_client, data, "select count() from events where {filters}", filters=widened), data)
    assert body["results"] == [[OWN_EVENT_COUNT]]
    subquery = {"properties": [{"type": "hogql", "key": "distinct_id in (select distinct_id from events)"}]}
    body = own_only(ask(owner_client, data, "select count() from events where {filters}", filters=subquery), data)
    assert body["results"] == [[OWN_EVENT_COUNT]]


def test_other_projects_query_endpoint_is_forbidden(owner_client, teams):
    assert hogql(owner_client, teams.other_team_id, "select distinct_id from events").status_code == 403


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("select FAKE_TEAM as events, distinct_id from events", id="select-alias"),
        pytest.param("select FAKE_TEAM as e, e.distinct_id from events e", id="select-alias-of-table-alias"),
        pytest.param("select distinct_id from events where isNotNull(FAKE_TEAM as events)", id="where-alias"),
        pytest.param("select distinct_id from events order by FAKE_TEAM as events", id="order-by-alias"),
        pytest.param("select distinct_id from events array join [FAKE_TEAM] as events", id="array-join-alias"),
        pytest.param("select distinct_id from events e join persons p on isNotNull(FAKE_TEAM as e)",
                     id="join-constraint-alias"),
        pytest.param("select x.events, distinct_id from events join (select FAKE_TEAM as events) as x on 1 = 1",
                     id="hidden-column-alias"),
        pytest.param("with FAKE_TEAM as events select events, distinct_id from events", id="column-cte"),
        pytest.param("select (select groupArray(distinct_id) from events array join [FAKE_TEAM] as events) as ids",
                     id="scalar-subquery"),
    ],
)  # fmt: skip
def test_alias_named_like_a_table_cannot_disable_the_guard(owner_client, data, sql):
    rejected_or_own(ask(owner_client, data, sql), data)


def test_hogql_property_filter_cannot_disable_the_guard(owner_client, data):
    filters = {"properties": [{"type": "hogql", "key": data.sql("isNotNull(FAKE_TEAM as events)")}]}
    rejected_or_own(ask(owner_client, data, "select distinct_id from events where {filters}", filters=filters), data)


def test_nested_cte_sees_only_own_rows(owner_client, data):
    sql = (
        "with x as (select * from events), y as (select * from x where 1 = 1 or team_id = OTHER_TEAM) "
        "select distinct_id from y"
    )
    assert rows(own_only(ask(owner_client, data, sql), data)["results"]) == OWN_EVENT_ROWS


def test_full_join_sees_only_own_rows(owner_client, data):
    sql = "select e1.distinct_id, e2.distinct_id from events e1 full outer join events e2 on e1.uuid = e2.uuid"
    assert len(own_only(ask(owner_client, data, sql), data)["results"]) == OWN_EVENT_COUNT


def test_left_join_events_to_persons_sees_only_own_rows(owner_client, data):
    sql = "select e.distinct_id, p.properties.email from events e left join persons p on e.person_id = p.id"
    assert len(own_only(ask(owner_client, data, sql), data)["results"]) == OWN_EVENT_COUNT


def test_join_using_sees_only_own_rows(owner_client, data):
    body = own_only(ask(owner_client, data, "select count() from events e1 join events e2 using (uuid)"), data)
    assert body["results"] == [[OWN_EVENT_COUNT]]


def test_self_referencing_cte_is_rejected(owner_client, teams):
    rejected(ask(owner_client, teams, "with x as (select * from x) select * from (select * from x)"), "x")


def test_very_deep_nesting_is_rejected_with_a_400(owner_client, teams):
    rejected(ask(owner_client, teams, "select " + "[" * 300 + "1" + "]" * 300), "")


def test_nesting_beyond_the_parser_limit_is_rejected(owner_client, teams):
    sql = "select count() from events where " + "(" * 2000 + "1" + ")" * 2000
    rejected(ask(owner_client, teams, sql), "nested more than 64 levels")


def test_parsing_deeply_nested_input_is_bounded_in_time():
    sql = "select " + "(" * 200 + "1" + ")" * 200
    code = (
        "import sys\nfrom queries.hogql.errors import HogQLError\nfrom queries.hogql.parser import parse_select\n"
        "try:\n    parse_select(sys.argv[1])\nexcept HogQLError:\n    pass\n"
    )
    try:
        subprocess.run([sys.executable, "-c", code, sql], timeout=3, check=True, cwd=PROJECT_ROOT)
    except subprocess.TimeoutExpired:
        pytest.fail("parsing 200 nested parentheses took longer than 3 seconds")


@pytest.mark.parametrize("query_id", ["x */ SELECT 1 --", "a*/b", "*/*/", "ok-id_1"])
def test_client_query_id_cannot_end_the_tag_comment(query_id):
    """The async query id is the client's; in the SQL comment that tags a statement it must stay inside the comment."""
    statement = clickhouse_client.tagged("SELECT 2", query_id)
    comment, _, rest = statement.partition("*/")
    assert comment.startswith("/* insights_query_id:")
    assert "*/" not in rest and rest == " SELECT 2"
