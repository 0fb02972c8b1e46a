"""Unit tests of the query-node schema: realistic queries round-trip exactly, bad ones fail with a precise attr."""

import copy

import pytest

from queries.schema import (
    ActionsNode,
    DataTableNode,
    DataVisualizationNode,
    EventPropertyFilter,
    EventsNode,
    EventsQuery,
    FunnelsQuery,
    HogQLMetadata,
    HogQLQuery,
    HogQuery,
    InsightVizNode,
    LifecycleQuery,
    PathsQuery,
    PropertyGroupFilter,
    QueryRequest,
    QueryValidationError,
    RetentionQuery,
    StickinessQuery,
    TrendsQuery,
    parse_query,
    parse_query_request,
    query_to_dict,
)

TRENDS_INSIGHT = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "TrendsQuery",
        "series": [
            {"kind": "EventsNode", "event": "$pageview", "name": "$pageview", "math": "dau"},
            {
                "kind": "ActionsNode",
                "id": 4,
                "name": "Signed up",
                "custom_name": "Sign-ups",
                "math": "dau",
                "properties": [
                    {"key": "$browser", "value": ["Chrome", "Firefox"], "operator": "exact", "type": "event"}
                ],
            },
        ],
        "interval": "day",
        "dateRange": {"date_from": "-7d", "date_to": None, "explicitDate": False},
        "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": 25},
        "trendsFilter": {"display": "ActionsLineGraph", "showLegend": True, "smoothingIntervals": 1},
        "compareFilter": {"compare": True, "compare_to": "-1w"},
        "filterTestAccounts": True,
        "properties": [],
        "version": 2,
    },
    "full": True,
}

FUNNELS_INSIGHT = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "FunnelsQuery",
        "series": [
            {"kind": "EventsNode", "event": "$pageview", "name": "$pageview"},
            {"kind": "EventsNode", "event": "signed_up", "name": "signed_up", "optionalInFunnel": False},
            {"kind": "ActionsNode", "id": 12, "name": "Purchased", "math": "first_time_for_user"},
        ],
        "funnelsFilter": {
            "funnelWindowInterval": 14,
            "funnelWindowIntervalUnit": "day",
            "funnelOrderType": "ordered",
            "funnelVizType": "steps",
            "breakdownAttributionType": "first_touch",
            "exclusions": [{"kind": "EventsNode", "event": "$pageleave", "funnelFromStep": 0, "funnelToStep": 1}],
        },
        "breakdownFilter": {"breakdown_type": "person", "breakdown": "$initial_utm_source"},
        "dateRange": {"date_from": "-30d"},
        "aggregation_group_type_index": 0,
        "filterTestAccounts": False,
    },
}

RETENTION_INSIGHT = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "RetentionQuery",
        "retentionFilter": {
            "targetEntity": {"id": "$pageview", "name": "$pageview", "type": "events", "kind": "EventsNode"},
            "returningEntity": {"id": 7, "name": "Used feature", "type": "actions", "kind": "ActionsNode"},
            "retentionType": "retention_first_time",
            "totalIntervals": 8,
            "period": "Week",
            "retentionReference": "total",
            "meanRetentionCalculation": "simple",
        },
        "dateRange": {"date_from": "-8w", "date_to": None},
        "properties": [{"type": "person", "key": "email", "operator": "icontains", "value": "@example.com"}],
    },
    "vizSpecificOptions": {"RETENTION": {"hideLineGraph": True, "useSmallLayout": True}},
}

PATHS_INSIGHT = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "PathsQuery",
        "pathsFilter": {
            "includeEventTypes": ["$pageview", "custom_event"],
            "startPoint": "https://example.com/",
            "stepLimit": 5,
            "edgeLimit": 50,
            "excludeEvents": ["$autocapture"],
            "pathGroupings": ["/product/*"],
            "localPathCleaningFilters": [{"regex": "\\d+", "alias": "<id>", "order": 0}],
        },
        "dateRange": {"date_from": "-14d"},
        "samplingFactor": 0.1,
    },
}

STICKINESS_INSIGHT = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "StickinessQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "total", "name": "$pageview"}],
        "interval": "week",
        "intervalCount": 1,
        "stickinessFilter": {
            "display": "ActionsBar",
            "computedAs": "cumulative",
            "stickinessCriteria": {"operator": "gte", "value": 3},
        },
        "compareFilter": {"compare": False},
    },
}

LIFECYCLE_INSIGHT = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "LifecycleQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "total"}],
        "interval": "month",
        "lifecycleFilter": {"toggledLifecycles": ["new", "returning", "resurrecting"], "showValuesOnSeries": True},
        "dateRange": {"date_from": "-6m", "explicitDate": False},
    },
}

HOGQL_VISUALIZATION = {
    "kind": "DataVisualizationNode",
    "source": {
        "kind": "HogQLQuery",
        "query": "SELECT toStartOfDay(timestamp) AS day, count() FROM events WHERE {filters} GROUP BY day",
        "filters": {"dateRange": {"date_from": "-7d"}, "filterTestAccounts": True, "properties": []},
        "variables": {"a1b2": {"variableId": "a1b2", "code_name": "event_name", "value": "$pageview"}},
        "values": {"limit": 100},
        "modifiers": {"personsOnEventsMode": "person_id_override_properties_on_events", "debug": False},
        "tags": {"scene": "SQLEditor", "productKey": "data_warehouse"},
    },
    "display": "ActionsBar",
    "chartSettings": {"xAxis": {"column": "day"}, "yAxis": [{"column": "count()", "settings": {"formatting": {}}}]},
    "tableSettings": {"columns": [{"column": "day"}], "conditionalFormatting": []},
}

EVENTS_TABLE = {
    "kind": "DataTableNode",
    "full": True,
    "source": {
        "kind": "EventsQuery",
        "select": ["*", "event", "person_display_name -- Person", "coalesce(properties.$current_url, '')", "timestamp"],
        "orderBy": ["timestamp DESC"],
        "after": "-24h",
        "limit": 100,
        "properties": [{"type": "event", "key": "$os", "operator": "exact", "value": ["Mac OS X"]}],
        "fixedProperties": [
            {"type": "AND", "values": [{"type": "cohort", "key": "id", "value": 3, "operator": "in"}]},
            {"type": "hogql", "key": "properties.$lib = 'web'"},
        ],
        "event": None,
        "filterTestAccounts": False,
    },
    "columns": ["*", "event", "timestamp"],
    "hiddenColumns": ["person_display_name -- Person"],
    "showPropertyFilter": True,
    "propertiesViaUrl": True,
    "showColumnConfigurator": True,
}

HOG_PROGRAM = {"kind": "HogQuery", "code": "let x := 1 + 2\nreturn x"}

HOGQL_METADATA = {
    "kind": "HogQLMetadata",
    "language": "hogQLExpr",
    "query": "properties.$browser",
    "sourceQuery": {"kind": "EventsQuery", "select": ["*"]},
    "globalsWithInputs": {"inputs": {"url": "https://example.com"}},
}

ACTORS_OF_A_TRENDS_POINT = {
    "kind": "ActorsQuery",
    "source": {
        "kind": "InsightActorsQuery",
        "source": TRENDS_INSIGHT["source"],
        "day": "2024-05-01",
        "series": 0,
        "breakdown": "Chrome",
        "includeRecordings": True,
    },
    "select": ["actor", "event_count"],
    "orderBy": ["event_count DESC"],
    "search": "alice",
}

SAVED_INSIGHT = {"kind": "SavedInsightNode", "shortId": "aB3dE6gH", "showHeader": True, "showTable": True}

ROUND_TRIP_CASES = {
    "trends": (TRENDS_INSIGHT, InsightVizNode, TrendsQuery),
    "funnels": (FUNNELS_INSIGHT, InsightVizNode, FunnelsQuery),
    "retention": (RETENTION_INSIGHT, InsightVizNode, RetentionQuery),
    "paths": (PATHS_INSIGHT, InsightVizNode, PathsQuery),
    "stickiness": (STICKINESS_INSIGHT, InsightVizNode, StickinessQuery),
    "lifecycle": (LIFECYCLE_INSIGHT, InsightVizNode, LifecycleQuery),
    "hogql_visualization": (HOGQL_VISUALIZATION, DataVisualizationNode, HogQLQuery),
    "events_table": (EVENTS_TABLE, DataTableNode, EventsQuery),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP_CASES))
def test_interface_node_parses_its_source_and_round_trips_exactly(name):
    data, node_class, source_class = ROUND_TRIP_CASES[name]

    node = parse_query(copy.deepcopy(data))

    assert type(node) is node_class
    assert type(node.source) is source_class
    assert query_to_dict(node) == data


@pytest.mark.parametrize(
    "data, node_class",
    [(HOG_PROGRAM, HogQuery), (HOGQL_METADATA, HogQLMetadata), (ACTORS_OF_A_TRENDS_POINT, None), (SAVED_INSIGHT, None)],
)
def test_standalone_nodes_round_trip_exactly(data, node_class):
    node = parse_query(copy.deepcopy(data))

    if node_class is not None:
        assert type(node) is node_class
    assert node.kind == data["kind"]
    assert query_to_dict(node) == data


def test_bare_insight_query_round_trips_and_keeps_schema_defaults_out_of_the_dump():
    data = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": None}]}

    query = parse_query(data)

    assert query.interval == "day"
    assert query.filterTestAccounts is False
    assert query.properties == []
    assert query.trendsFilter is None
    assert query_to_dict(query) == data


def test_parsed_values_keep_their_json_types():
    query = parse_query(TRENDS_INSIGHT)

    actions = query.source.series[1]
    assert isinstance(actions, ActionsNode)
    assert actions.id == 4
    assert actions.properties[0] == EventPropertyFilter(key="$browser", value=["Chrome", "Firefox"], operator="exact")
    assert parse_query(PATHS_INSIGHT).source.samplingFactor == 0.1
    assert parse_query(RETENTION_INSIGHT).source.retentionFilter.returningEntity.id == 7


def test_nested_property_groups_parse_and_round_trip():
    data = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "properties": {
            "type": "AND",
            "values": [
                {
                    "type": "OR",
                    "values": [
                        {"type": "event", "key": "$browser", "operator": "exact", "value": "Chrome"},
                        {"type": "person", "key": "plan", "operator": "is_set"},
                        {
                            "type": "AND",
                            "values": [
                                {"type": "cohort", "key": "id", "value": 42},
                                {"type": "element", "key": "tag_name", "operator": "exact", "value": ["button"]},
                                {"type": "group", "group_type_index": 0, "key": "industry", "operator": "exact"},
                            ],
                        },
                    ],
                },
                {"type": "AND", "values": [{"type": "hogql", "key": "properties.$lib = 'web'"}]},
            ],
        },
    }

    query = parse_query(data)

    assert isinstance(query.properties, PropertyGroupFilter)
    inner = query.properties.values[0].values[2]
    assert inner.type == "AND"
    assert [value.type for value in inner.values] == ["cohort", "element", "group"]
    assert query_to_dict(query) == data


def test_every_property_filter_type_is_accepted():
    filters = [
        {"type": "event", "key": "$browser", "value": "Chrome"},
        {"type": "person", "key": "email", "operator": "is_set"},
        {"type": "element", "key": "selector", "operator": "exact", "value": "button.cta"},
        {"type": "event_metadata", "key": "distinct_id", "operator": "exact", "value": "abc"},
        {"type": "session", "key": "$session_duration", "operator": "gt", "value": 60},
        {"type": "cohort", "key": "id", "value": 3, "operator": "not_in", "cohort_name": "Churned"},
        {"type": "recording", "key": "duration", "operator": "gt", "value": 5},
        {"type": "log_entry", "key": "level", "operator": "exact", "value": "error"},
        {"type": "group", "group_type_index": 1, "key": "plan", "operator": "exact", "value": "pro"},
        {"type": "feature", "key": "$feature/new-nav", "operator": "exact", "value": True},
        {"type": "flag", "key": "17", "operator": "flag_evaluates_to", "value": "variant-a"},
        {"type": "hogql", "key": "toInt(properties.price) > 10"},
        {"type": "empty"},
        {"type": "data_warehouse", "key": "stripe_charges.amount", "operator": "gte", "value": 100.5},
        {"type": "data_warehouse_person_property", "key": "crm.tier", "operator": "exact", "value": "gold"},
        {"type": "error_tracking_issue", "key": "status", "operator": "exact", "value": "active"},
        {"type": "log", "key": "message", "operator": "icontains", "value": "timeout"},
        {"type": "log_attribute", "key": "service", "operator": "exact", "value": "api"},
        {"type": "revenue_analytics", "key": "product", "operator": "exact", "value": "pro"},
        {"type": "meta", "key": "x", "operator": "exact", "value": 1},
        {"type": "internal_event", "key": "y", "operator": "between", "value": [1, 5]},
    ]
    data = {"kind": "EventsQuery", "select": ["*"], "properties": filters}

    query = parse_query(data)

    assert [item.type for item in query.properties] == [item["type"] for item in filters]
    assert query_to_dict(query) == data


def test_query_request_round_trips_with_legacy_and_aliased_fields():
    data = {
        "query": {"kind": "HogQLQuery", "query": "select 1"},
        "refresh": True,
        "client_query_id": "3f6a1c",
        "name": "weekly numbers",
        "async": True,
        "filters_override": {"date_from": "-14d", "properties": [{"type": "event", "key": "a", "value": "b"}]},
        "variables_override": {"a1b2": {"code_name": "event_name", "variableId": "a1b2", "value": "x"}},
    }

    request = parse_query_request(data)

    assert isinstance(request, QueryRequest)
    assert request.refresh is True
    assert request.async_ is True
    assert query_to_dict(request) == data
    assert parse_query_request({"query": data["query"]}).refresh == "blocking"


@pytest.mark.parametrize("refresh", ["async", "async_except_on_cache_miss", "lazy_async", "force_cache", False])
def test_query_request_accepts_every_refresh_mode(refresh):
    request = parse_query_request({"query": HOG_PROGRAM, "refresh": refresh})

    assert request.refresh == refresh


def test_nodes_built_in_code_dump_their_kind_and_type():
    node = InsightVizNode(
        source=TrendsQuery(series=[EventsNode(event="$pageview", properties=[EventPropertyFilter(key="a")])])
    )

    assert query_to_dict(node) == {
        "kind": "InsightVizNode",
        "source": {
            "kind": "TrendsQuery",
            "series": [{"kind": "EventsNode", "event": "$pageview", "properties": [{"type": "event", "key": "a"}]}],
        },
    }


def _trends(**fields):
    return {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}], **fields}


@pytest.mark.parametrize(
    "parse, data, attr, detail",
    [
        (parse_query, {"kind": "Foo"}, None, "Unknown query kind 'Foo'"),
        (parse_query, {"series": []}, None, "Missing query kind"),
        (parse_query_request, {"query": {"kind": "Foo"}}, "query", "Unknown query kind 'Foo'"),
        (parse_query_request, {"query": {"event": "$pageview"}}, "query", "Missing query kind"),
        (
            parse_query,
            {"kind": "InsightVizNode", "source": {"kind": "WebOverviewQuery", "properties": []}},
            "source",
            "Unknown query kind 'WebOverviewQuery'",
        ),
        (
            parse_query_request,
            {"query": {**TRENDS_INSIGHT, "source": _trends(series=[{"kind": "EventsNode", "bogus": 1}])}},
            "query__source__series__0__bogus",
            "Extra inputs are not permitted",
        ),
        (
            parse_query,
            _trends(series=[{"kind": "EventsNode", "properties": [{"type": "event", "key": "a", "oops": 1}]}]),
            "series__0__properties__0__oops",
            "Extra inputs are not permitted",
        ),
        (
            parse_query,
            _trends(interval="fortnight"),
            "interval",
            "Input should be 'minute', 'hour', 'day', 'week' or 'month'",
        ),
        (
            parse_query,
            {**FUNNELS_INSIGHT, "source": {**FUNNELS_INSIGHT["source"], "funnelsFilter": {"funnelOrderType": "any"}}},
            "source__funnelsFilter__funnelOrderType",
            "Input should be 'strict', 'unordered' or 'ordered'",
        ),
        (
            parse_query,
            {"kind": "RetentionQuery", "retentionFilter": {"period": "week"}},
            "retentionFilter__period",
            "Input should be 'Hour', 'Day', 'Week' or 'Month'",
        ),
        (parse_query, {"kind": "RetentionQuery"}, "retentionFilter", "Field required"),
        (
            parse_query,
            {**STICKINESS_INSIGHT["source"], "aggregation_group_type_index": 0},
            "aggregation_group_type_index",
            "Extra inputs are not permitted",
        ),
        (
            parse_query,
            _trends(properties=[{"type": "bogus", "key": "a"}]),
            "properties__0",
            "Unknown property filter type 'bogus'",
        ),
        (parse_query, _trends(properties=[{"value": "a"}]), "properties__0", "Missing property filter type"),
        (
            parse_query,
            {"kind": "EventsQuery", "select": ["*"], "fixedProperties": [{"type": "AND", "values": [{"type": "x"}]}]},
            "fixedProperties__0__values__0",
            "Unknown property filter type 'x'",
        ),
        (
            parse_query,
            {"kind": "HogQLMetadata", "language": "sql", "query": "select 1"},
            "language",
            "Input should be 'hog', 'hogJson', 'hogQL', 'hogQLExpr', 'hogTemplate' or 'liquid'",
        ),
        (
            parse_query,
            {"kind": "HogQLQuery", "query": "select 1", "modifiers": {"personsJoinMode": "outer"}},
            "modifiers__personsJoinMode",
            "Input should be 'inner' or 'left'",
        ),
        (
            parse_query_request,
            {"query": HOG_PROGRAM, "refresh": "sometimes"},
            "refresh",
            "Input should be 'async', 'async_except_on_cache_miss', 'blocking', 'force_async', 'force_blocking', "
            "'force_cache' or 'lazy_async'",
        ),
        (
            parse_query_request,
            {"query": HOG_PROGRAM, "name": "n" * 129},
            "name",
            "String should have at most 128 characters",
        ),
        (parse_query_request, {"query": HOG_PROGRAM, "extra": 1}, "extra", "Extra inputs are not permitted"),
        (parse_query_request, {"refresh": "blocking"}, "query", "Field required"),
    ],
)
def test_invalid_query_raises_validation_error_with_attr_and_detail(parse, data, attr, detail):
    with pytest.raises(QueryValidationError) as caught:
        parse(data)

    assert caught.value.attr == attr
    assert caught.value.detail == detail


def test_bad_math_deep_in_a_request_names_the_series_field():
    data = {"query": _trends(series=[{"kind": "EventsNode", "event": "$pageview"}, {"kind": "ActionsNode", "id": 1}])}
    data["query"]["series"][1]["math"] = "daily"

    with pytest.raises(QueryValidationError) as caught:
        parse_query_request(data)

    assert caught.value.attr == "query__series__1__math"
    assert caught.value.detail.startswith("Input should be 'total', 'dau', 'weekly_active',")


def test_bad_operator_in_a_nested_property_group_names_the_full_path():
    group = {"type": "OR", "values": [{"type": "person", "key": "plan", "operator": "equals", "value": "pro"}]}
    data = _trends(properties={"type": "AND", "values": [{"type": "AND", "values": [group]}]})

    with pytest.raises(QueryValidationError) as caught:
        parse_query(data)

    assert caught.value.attr == "properties__values__0__values__0__values__0__operator"
    assert caught.value.detail.startswith("Input should be 'exact', 'is_not', 'icontains',")


@pytest.mark.parametrize("refresh", ["true", 1, "yes"])
def test_refresh_legacy_values_must_be_real_booleans(refresh):
    with pytest.raises(QueryValidationError) as caught:
        parse_query_request({"query": HOG_PROGRAM, "refresh": refresh})

    assert caught.value.attr == "refresh"
