"""The printed ClickHouse SQL of a PathsQuery (snapshot) and the pure helpers of the paths runner."""

from types import SimpleNamespace

from queries.hogql.execute import print_select
from queries.hogql.printer import PrintContext
from queries.runners.paths import PathsQueryRunner, glob_to_regex, reachable_edges, strip_trailing_slash
from queries.schema.insights import PathsQuery

PATHS_SNAPSHOT = (
    "SELECT __t1.source_event AS source_event, __t1.target_event AS target_event, count() AS event_count,"
    " avg(__t1.conversion_time) AS average_conversion_time FROM (SELECT concat(toString(minus(step_index,"
    " 1)), {hogql_val_17:String}, tupleElement(step, 3)) AS source_event, concat(toString(step_index), {h"
    "ogql_val_18:String}, tupleElement(step, 1)) AS target_event, tupleElement(step, 2) AS conversion_tim"
    "e FROM (SELECT __t3.person_id, arrayMap((x) -> tupleElement(x, 1), session) AS path_basic, arrayMap("
    "(x) -> tupleElement(x, 2), session) AS times, arrayPopFront(arrayPushBack(path_basic, {hogql_val_14:"
    "String})) AS path_next, arrayMap((x, y) -> if(ifNull(equals(x, y), 0), 0, 1), path_basic, path_next)"
    " AS mapping, arrayFilter((x, y) -> y, path_basic, mapping) AS compact_path, arrayFilter((x, y) -> y,"
    " times, mapping) AS timings, indexOf(compact_path, {hogql_val_15:String}) AS target_index, arraySlic"
    "e(compact_path, target_index) AS filtered_path, arraySlice(timings, target_index) AS filtered_timing"
    "s, arraySlice(filtered_path, 1, 4) AS limited_path, arraySlice(filtered_timings, 1, 4) AS limited_ti"
    "mings, arrayZip(limited_path, arrayDifference(limited_timings), arrayPopBack(arrayPushFront(limited_"
    "path, {hogql_val_16:String}))) AS limited_path_timings FROM (SELECT __t4.person_id, arraySort(groupA"
    "rray(tuple(__t4.seconds, __t4.path_item))) AS sorted_items, arrayZip(arrayMap((x) -> tupleElement(x,"
    " 2), sorted_items), arrayMap((x) -> tupleElement(x, 1), sorted_items), arrayDifference(arrayMap((x) "
    "-> tupleElement(x, 1), sorted_items))) AS paths_tuple, arraySplit((x) -> if(ifNull(less(tupleElement"
    "(x, 3), 1800), 0), 0, 1), paths_tuple) AS session_paths FROM (SELECT __t5.person_id AS person_id, to"
    "Float64(__t5.timestamp) AS seconds, replaceRegexpAll(ifNull(if(equals(__t5.event, {hogql_val_"
    "0:String}), replaceRegexpAll(ifNull(nullIf(nullIf(__t5.`mat_$current_url`, ''), 'null'), {hogql_"
    "val_1:String}), {hogql_val_2:String}, {hogql_val_3:String}), __t5.event), {hogql_val_4:String}), {ho"
    "gql_val_5:String}, {hogql_val_6:String}) AS path_item FROM events AS __t5 WHERE and(equals(__t5.team"
    "_id, 1), and(greaterOrEquals(__t5.timestamp, toDateTime64({hogql_val_7:String}, 6, {hogql_val"
    "_8:String})), lessOrEquals(__t5.timestamp, toDateTime64({hogql_val_9:String}, 6, {hogql_v"
    "al_10:String})), or(equals(__t5.event, {hogql_val_11:String}), not(startsWith(__t5.ev"
    "ent, {hogql_val_12:String}))), ifNull(notIn(path_item, [{hogql_val_13:String}]), 1)))) AS __t4 GROUP"
    " BY __t4.person_id) AS __t3 ARRAY JOIN __t3.session_paths AS session WHERE ifNull(greater(target_ind"
    "ex, 0), 0)) AS __t2 ARRAY JOIN __t2.limited_path_timings AS step, arrayEnumerate(__t2.limited_path_t"
    "imings) AS step_index WHERE ifNull(greater(step_index, 1), 0)) AS __t1 GROUP BY source_event, target"
    "_event HAVING ifNull(greaterOrEquals(event_count, 2), 0) ORDER BY event_count DESC, source_event ASC"
    ", target_event ASC LIMIT 20"
)
PATHS_SNAPSHOT_PARAMETERS = {
    "hogql_val_0": "$pageview",
    "hogql_val_1": "",
    "hogql_val_2": "(.)/$",
    "hogql_val_3": "\\1",
    "hogql_val_4": "",
    "hogql_val_5": "/\\d+",
    "hogql_val_6": "/:id",
    "hogql_val_7": "2024-03-01 00:00:00.000000",
    "hogql_val_8": "UTC",
    "hogql_val_9": "2024-03-03 23:59:59.999999",
    "hogql_val_10": "UTC",
    "hogql_val_11": "$pageview",
    "hogql_val_12": "$",
    "hogql_val_13": "purchase",
    "hogql_val_14": "",
    "hogql_val_15": "https://example.com/pricing",
    "hogql_val_16": "",
    "hogql_val_17": "_",
    "hogql_val_18": "_",
}


def printed(query: dict, team_id: int = 1, person_overrides: bool = False) -> tuple[str, dict]:
    team = SimpleNamespace(
        id=team_id, timezone="UTC", week_start_day=0, path_cleaning_filters=[], test_account_filters=[], modifiers=None
    )
    runner = PathsQueryRunner(PathsQuery(**query), team)
    select, values = runner.build(runner.query_date_range())
    context = PrintContext(team_id=team_id, timezone="UTC", person_overrides=person_overrides, values=values)
    return print_select(select, context, default_limit=runner.edge_limit), context.parameters


def test_paths_printed_sql_snapshot():
    query = {
        "pathsFilter": {
            "includeEventTypes": ["$pageview", "custom_event"],
            "startPoint": "https://example.com/pricing/",
            "localPathCleaningFilters": [{"regex": "/\\d+", "alias": "/:id"}],
            "excludeEvents": ["purchase"],
            "minEdgeWeight": 2,
            "stepLimit": 4,
            "edgeLimit": 20,
        },
        "dateRange": {"date_from": "2024-03-01", "date_to": "2024-03-03"},
    }
    assert printed(query) == ("".join(PATHS_SNAPSHOT), PATHS_SNAPSHOT_PARAMETERS)


def test_paths_printed_sql_guards_the_team_and_follows_merges():
    sql, parameters = printed({"pathsFilter": {"includeEventTypes": ["$pageview"]}}, team_id=77, person_overrides=True)
    assert "equals(__t5.team_id, 77)" in sql
    assert "person_overrides" in sql or "override" in sql
    assert "$pageview" not in sql and "$pageview" in parameters.values()


def test_paths_groupings_become_first_match_wins():
    sql, parameters = printed({"pathsFilter": {"pathGroupings": ["/product/*", "/blog*"]}})
    assert "multiIf(match(path_item_ungrouped" in sql
    assert [v for v in parameters.values() if "product" in v] == ["/product/.*", "/product/*"]
    assert glob_to_regex("/a.b/*?") == "/a\\.b/.*\\?"


def test_paths_helpers():
    assert strip_trailing_slash("/pricing/") == "/pricing"
    assert strip_trailing_slash("/") == "/"
    assert strip_trailing_slash(None) is None
    rows = [("1_a", "2_b", 3, 1.0), ("2_b", "3_c", 2, 1.0), ("2_x", "3_y", 5, 1.0), ("3_c", "4_d", 1, 1.0)]
    assert reachable_edges(rows) == [rows[0], rows[1], rows[3]]
