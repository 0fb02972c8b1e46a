"""HogQL reads a property as the type its definition gives it (spec exports-definitions-limits §2.3): numeric
maths on Numeric properties, bools and dates likewise, text for String and undefined properties."""

import pytest

from definitions.models import PropertyDefinition
from queries.hogql.parser import parse_select
from queries.hogql.printer import ClickHousePrinter, PrintContext
from tests.query_helpers import capture_events, hogql, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")


@pytest.fixture
def purchases(client, world):
    alice = {"amount": 12.5, "paid": True, "on": "2024-05-01", "code": "7", "$set": {"age": 30}}
    bob = {"amount": 7, "paid": False, "on": "2024-05-03", "code": 8, "$set": {"age": 40}}
    carol = {"amount": "n/a", "code": "x"}
    capture_events(
        client,
        world.team,
        [
            ("purchase", "alice", alice, "2024-05-01T10:00:00Z"),
            ("purchase", "bob", bob, "2024-05-02T10:00:00Z"),
            ("purchase", "carol", carol, "2024-05-02T11:00:00Z"),
        ],
    )
    capture_events(client, world.other_team, [("purchase", "mallory", {"amount": "lots"}, "2024-05-01T10:00:00Z")])
    return world.team


def one_row(owner_client, team, sql: str) -> list:
    response = hogql(owner_client, team.id, sql)
    assert response.status_code == 200, response.json()
    return response.json()["results"][0]


def test_sum_of_a_numeric_property(owner_client, purchases):
    assert one_row(owner_client, purchases, "SELECT sum(properties.amount), avg(properties.amount) FROM events") == [
        19.5,
        9.75,
    ]


def test_numeric_comparison_and_text_functions_on_a_numeric_property(owner_client, purchases):
    sql = (
        "SELECT countIf(properties.amount > 10), countIf(properties.amount LIKE '1%'), "
        "countIf(toFloat(properties.amount) < 10) FROM events"
    )
    assert one_row(owner_client, purchases, sql) == [1, 1, 1]


def test_boolean_and_datetime_properties(owner_client, purchases):
    sql = "SELECT countIf(properties.paid), max(properties.on) FROM events WHERE properties.paid IS NOT NULL"
    count, latest = one_row(owner_client, purchases, sql)
    assert count == 1 and latest.startswith("2024-05-03T00:00:00")


def test_person_properties_are_typed_from_person_definitions(owner_client, purchases):
    assert one_row(owner_client, purchases, "SELECT sum(person.properties.age) FROM events") == [70.0]
    assert one_row(owner_client, purchases, "SELECT sum(properties.age) FROM persons") == [70.0]


def test_first_seen_string_property_stays_text(owner_client, purchases):
    assert PropertyDefinition.objects.get(team=purchases, name="code", type=1).property_type == "String"
    rows = hogql(owner_client, purchases.id, "SELECT properties.code FROM events ORDER BY timestamp").json()
    assert rows["results"] == [["7"], ["8"], ["x"]]


def test_trends_sum_of_a_numeric_property(owner_client, purchases):
    query = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "purchase", "math": "sum", "math_property": "amount"}],
        "dateRange": {"date_from": "2024-05-01", "date_to": "2024-05-03"},
        "interval": "day",
    }
    response = run_query(owner_client, purchases.id, query)
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["data"] == [12.5, 7.0, 0.0]


def test_retyping_a_property_changes_the_cached_answer(owner_client, purchases):
    sql = "SELECT sum(properties.amount) FROM events"
    assert one_row(owner_client, purchases, sql) == [19.5]
    definition = PropertyDefinition.objects.get(team=purchases, name="amount", type=1)
    url = f"/api/projects/{purchases.id}/property_definitions/{definition.id}/"
    assert owner_client.patch(url, {"property_type": "String"}, format="json").status_code == 200
    response = hogql(owner_client, purchases.id, sql)
    assert response.status_code == 400  # text again: sum() of a String is ClickHouse's type error, not a cached 19.5


def test_printer_without_definitions_prints_text_reads():
    node = parse_select("SELECT sum(properties.amount) FROM events")
    untyped = ClickHousePrinter(PrintContext(team_id=1)).print_top(node)
    assert "toFloat64OrNull" not in untyped
    typed = ClickHousePrinter(PrintContext(team_id=1, property_types={("event", "amount"): "Numeric"})).print_top(node)
    assert typed == untyped.replace("sum(replaceRegexpAll", "sum(toFloat64OrNull(replaceRegexpAll").replace(
        "'^\"|\"$', ''))", "'^\"|\"$', '')))"
    )


def test_metadata_notes_each_typed_property(owner_client, purchases):
    sql = "SELECT properties.amount, properties.code FROM events"
    query = {"kind": "HogQLMetadata", "language": "hogQL", "query": sql}
    body = run_query(owner_client, purchases.id, query).json()
    assert body["isValid"] is True
    assert body["notices"] == [
        {"message": "Event property 'amount' is of type 'Float'.", "start": 7, "end": 24, "fix": None}
    ]
