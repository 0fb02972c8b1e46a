"""Table pictures of SQL, events and data-table results, and SQL insights drawn as charts."""

import pytest

from charts import samples as s
from charts.tables import cell_text
from tests.charts_helpers import texts_of


def test_hogql_table_formats_numbers_and_times_in_project_timezone():
    texts = texts_of(s.hogql_query(), s.hogql_result(), timezone="Asia/Tokyo")
    assert texts[:3] == ["event", "total", "last_seen"]
    assert texts[3:6] == ["$pageview", "48,213", "2024-03-31 08:59:01"]  # 23:59:01Z is 08:59 the next day in Tokyo
    assert texts[-3:] == ["purchase", "188", "2024-03-30 02:40:00"]


def test_events_query_table_shows_person_names_and_labels():
    texts = texts_of(s.events_query(), s.events_result())
    assert texts[:4] == ["*", "event", "Person", "timestamp"]
    assert texts[4:8] == ["$pageview", "$pageview", "alice@example.com", "2024-01-01 10:00:00"]


def test_data_table_counts_rows_that_do_not_fit():
    result = {"results": [[f"event {i}", i] for i in range(40)], "columns": ["event", "count()"]}
    query = {"kind": "DataTableNode", "source": {"kind": "EventsQuery", "select": ["event", "count()"]}}
    texts = texts_of(query, result, height=300)
    assert texts[-3:] == ["event 7", "7", "… 32 more rows"]
    assert texts[:4] == ["event", "count()", "event 0", "0"]


def test_data_table_says_more_rows_exist_when_the_response_has_more():
    result = {"results": [["a", 1]], "columns": ["event", "count()"], "hasMore": True}
    texts = texts_of({"kind": "EventsQuery", "select": ["event", "count()"]}, result)
    assert texts[-1] == "More rows not loaded"


def test_data_table_without_columns_takes_the_select():
    query = {"kind": "DataTableNode", "source": {"kind": "EventsQuery", "select": ["event", "count() -- Total"]}}
    assert texts_of(query, [["$pageview", 3]]) == ["event", "Total", "$pageview", "3"]


def test_long_cells_are_shortened_with_an_ellipsis():
    texts = texts_of({"kind": "HogQLQuery", "query": "SELECT 1"}, {"results": [["x" * 300]], "columns": ["long"]})
    assert texts[1].endswith("…") and len(texts[1]) < 300


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (1234567, "1,234,567"),
        (0.12345, "0.1235"),
        ({"display_name": "Ann", "id": "x"}, "Ann"),
        ({"a": 1}, '{"a": 1}'),
        ({"id": "u1", "distinct_ids": ["d1"], "properties": {"email": "ann@example.com"}}, "ann@example.com"),
        ({"id": "u1", "distinct_ids": ["d1"], "properties": {}}, "d1"),
        ([1, "b"], '[1, "b"]'),
        ("2024-01-01T12:00:00+00:00", "2024-01-01 13:00:00"),
        ("plain", "plain"),
    ],
)
def test_cell_text_writes_values_for_reading(value, text):
    assert cell_text(value, "", "Europe/Paris") == text


def test_hogql_chart_draws_y_columns_over_the_x_column():
    texts = texts_of(s.hogql_chart_query(), s.hogql_chart_result(days=5), timezone="UTC")
    assert texts[:5] == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
    assert texts[-3:] == ["Timezone: UTC", "pageviews", "users"]


@pytest.mark.parametrize("display", ["ActionsBar", "ActionsStackedBar", "ActionsAreaGraph"])
def test_hogql_chart_bar_and_area_displays(display):
    texts = texts_of(s.hogql_chart_query(display), s.hogql_chart_result(days=3))
    assert {"pageviews", "users", "2024-01-01"} <= set(texts)


def test_hogql_chart_without_numbers_is_a_table():
    query = s.hogql_chart_query()
    result = {"results": [["a", "b"]], "columns": ["x", "y"], "types": [["x", "String"], ["y", "String"]]}
    assert texts_of(query, result) == ["x", "y", "a", "b"]


@pytest.mark.parametrize(
    ("value", "column_type", "text"),
    [
        ("2024-01-01T12:00:00", "DateTime64(6, 'UTC')", "2024-01-01 13:00:00"),
        ("2024-01-01T12:00:00", "DateTime('Europe/Paris')", "2024-01-01 12:00:00"),
        ("2024-01-01T12:00:00", "Nullable(DateTime64(3, 'America/New_York'))", "2024-01-01 18:00:00"),
        ("2024-01-01T12:00:00", "", "2024-01-01 12:00:00"),
        ("2024-01-01T12:00:00Z", "String", "2024-01-01 13:00:00"),
    ],
)
def test_naive_times_are_read_in_their_column_timezone(value, column_type, text):
    assert cell_text(value, column_type, "Europe/Paris") == text


def test_wide_tables_keep_the_columns_that_fit_and_say_how_many_more():
    result = {"results": [list(range(30))], "columns": [f"c{i}" for i in range(30)]}
    texts = texts_of({"kind": "HogQLQuery", "query": "SELECT ..."}, result, width=400)
    headers = [t for t in texts if t.startswith("c")]
    assert headers == [f"c{i}" for i in range(len(headers))] and 5 <= len(headers) < 30
    assert texts[-1] == f"{30 - len(headers)} more columns not shown"


def test_hogql_bold_number_shows_the_first_number_under_its_column():
    query = {**s.hogql_query(), "display": "BoldNumber"}
    result = {"results": [[48213.456]], "columns": ["count() -- Pageviews"]}
    assert texts_of(query, result) == ["48,213.46", "Pageviews"]


def test_a_single_value_result_is_one_cell():
    texts = texts_of({"kind": "HogQuery", "code": "return 1 + 2"}, {"results": 3, "columns": ["result"]})
    assert texts == ["result", "3"]
