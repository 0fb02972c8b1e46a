"""An insight's result fields (spec insights-api §5.6): its query, with dashboard context applied, run through the
runner's cache in the requested execution mode; calculation errors per §5.7.
"""

import logging
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from rest_framework.exceptions import ValidationError

from insights.dashboard_hooks import dashboard_hooks
from insights.models import Insight
from insights_server.errors import DomainError
from insights_server.models import Team
from queries.execution.concurrency import CONCURRENCY_LIMIT_EXCEEDED, ConcurrencyLimitExceeded
from queries.execution.status import new_status
from queries.overrides import apply_filters_override, apply_variables_override
from queries.runners.registry import INTERFACE_NODES, UnsupportedQueryKind, get_runner
from queries.schema import DashboardFilter, QueryValidationError, parse_query

logger = logging.getLogger(__name__)
INTERNAL_ERROR = "An internal error occurred while calculating this insight."

RESULT_FIELDS = (
    "result",
    "hasMore",
    "columns",
    "last_refresh",
    "cache_key",
    "is_cached",
    "timezone",
    "next_allowed_client_refresh",
    "cache_target_age",
    "timings",
    "query_status",
    "hogql",
    "types",
    "resolved_date_range",
)
# Response key of the query runner -> InsightResult field, where they differ.
RESPONSE_KEYS = {"result": "results"}


def empty_result(cache_key: str | None = None, query_status: dict | None = None) -> dict:
    """A cache miss: every field null except `is_cached` (false), `cache_key` and `query_status`."""
    result: dict[str, Any] = dict.fromkeys(RESULT_FIELDS)
    result.update({"is_cached": False, "cache_key": cache_key, "query_status": query_status})
    return result


def error_status(insight: Insight, team: Team, message: str, *, dashboard=None, query_id: str | None = None) -> dict:
    """The `query_status` of a calculation that failed: complete, with the error (every QueryStatus key)."""
    return new_status(
        team.id,
        query_id,
        insight_id=insight.id,
        dashboard_id=dashboard.id if dashboard is not None else None,
        error=True,
        complete=True,
        error_message=message,
        start_time=None,
    )


# Legacy entity keys -> series node keys (the rest of a legacy entity is dropped).
LEGACY_ENTITY_KEYS = {
    "name": "name",
    "custom_name": "custom_name",
    "math": "math",
    "math_property": "math_property",
    "math_hogql": "math_hogql",
    "math_group_type_index": "math_group_type_index",
    "properties": "properties",
}
LEGACY_BREAKDOWN_KEYS = ("breakdown", "breakdown_type", "breakdown_limit", "breakdown_normalize_url")


def _legacy_series(filters: dict) -> list[dict]:
    entities = [("EventsNode", entity) for entity in filters.get("events") or [] if isinstance(entity, dict)]
    entities += [("ActionsNode", entity) for entity in filters.get("actions") or [] if isinstance(entity, dict)]
    entities.sort(key=lambda pair: pair[1].get("order") or 0)
    series = []
    for kind, entity in entities:
        node: dict[str, Any] = {"kind": kind}
        node["event" if kind == "EventsNode" else "id"] = entity.get("id")
        for legacy, key in LEGACY_ENTITY_KEYS.items():
            if entity.get(legacy) not in (None, "", []):
                node[key] = entity[legacy]
        series.append(node)
    return series


# Legacy funnel keys -> FunnelsFilter keys.
LEGACY_FUNNEL_KEYS = {
    "funnel_viz_type": "funnelVizType",
    "funnel_order_type": "funnelOrderType",
    "funnel_window_interval": "funnelWindowInterval",
    "funnel_window_interval_unit": "funnelWindowIntervalUnit",
    "funnel_step_reference": "funnelStepReference",
    "breakdown_attribution_type": "breakdownAttributionType",
    "breakdown_attribution_value": "breakdownAttributionValue",
    "bin_count": "binCount",
    "funnel_from_step": "funnelFromStep",
    "funnel_to_step": "funnelToStep",
    "funnel_aggregate_by_hogql": "funnelAggregateByHogQL",
    "layout": "layout",
}
LEGACY_QUERY_KINDS = {
    "TRENDS": "TrendsQuery",
    "FUNNELS": "FunnelsQuery",
    "STICKINESS": "StickinessQuery",
    "LIFECYCLE": "LifecycleQuery",
}


def _legacy_funnels_filter(filters: dict) -> dict:
    funnels_filter = {
        key: filters[legacy] for legacy, key in LEGACY_FUNNEL_KEYS.items() if filters.get(legacy) is not None
    }
    if filters.get("funnel_window_days") is not None and "funnelWindowInterval" not in funnels_filter:
        funnels_filter.update(funnelWindowInterval=filters["funnel_window_days"], funnelWindowIntervalUnit="day")
    exclusions = []
    for entity in filters.get("exclusions") or []:
        if not isinstance(entity, dict):
            continue
        kind = "ActionsNode" if entity.get("type") == "actions" else "EventsNode"
        node = {"kind": kind, "event" if kind == "EventsNode" else "id": entity.get("id")}
        node.update(funnelFromStep=entity.get("funnel_from_step"), funnelToStep=entity.get("funnel_to_step"))
        exclusions.append(node)
    if exclusions:
        funnels_filter["exclusions"] = exclusions
    return funnels_filter


def query_from_filters(filters: dict | None) -> dict | None:
    """A legacy `filters` dict as `{"kind": "InsightVizNode", "source": <query>, "full": true}`.

    TRENDS, FUNNELS, STICKINESS and LIFECYCLE filters convert (events/actions series, dates, interval,
    properties, test-account filter, breakdown, display/formula, compare, the funnel settings); other insight
    types, and anything that does not validate, give None.
    """
    if not isinstance(filters, dict):
        return None
    insight_type = filters.get("insight", "TRENDS")
    kind = LEGACY_QUERY_KINDS.get(insight_type)
    series = _legacy_series(filters)
    if kind is None or not series:
        return None
    source: dict[str, Any] = {"kind": kind, "series": series}
    date_range = {key: filters[key] for key in ("date_from", "date_to") if filters.get(key)}
    if filters.get("explicit_date") is not None:
        date_range["explicitDate"] = bool(filters["explicit_date"])
    if date_range:
        source["dateRange"] = date_range
    if filters.get("interval"):
        source["interval"] = filters["interval"]
    if filters.get("properties"):
        source["properties"] = filters["properties"]
    if filters.get("filter_test_accounts") is not None:
        source["filterTestAccounts"] = bool(filters["filter_test_accounts"])
    if filters.get("aggregation_group_type_index") is not None and kind != "StickinessQuery":
        source["aggregation_group_type_index"] = filters["aggregation_group_type_index"]
    breakdown = {key: filters[key] for key in LEGACY_BREAKDOWN_KEYS if filters.get(key) is not None}
    if breakdown and kind in ("TrendsQuery", "FunnelsQuery"):
        source["breakdownFilter"] = breakdown
    if kind == "TrendsQuery":
        trends_filter = {key: filters[key] for key in ("display", "formula") if filters.get(key)}
        if trends_filter:
            source["trendsFilter"] = trends_filter
    elif kind == "FunnelsQuery":
        funnels_filter = _legacy_funnels_filter(filters)
        if funnels_filter:
            source["funnelsFilter"] = funnels_filter
    elif kind == "StickinessQuery" and filters.get("display"):
        source["stickinessFilter"] = {"display": filters["display"]}
    elif kind == "LifecycleQuery" and filters.get("toggledLifecycles"):
        source["lifecycleFilter"] = {"toggledLifecycles": filters["toggledLifecycles"]}
    if filters.get("compare") and kind in ("TrendsQuery", "StickinessQuery"):
        source["compareFilter"] = {
            "compare": True,
            **({"compare_to": filters["compare_to"]} if filters.get("compare_to") else {}),
        }
    query = {"kind": "InsightVizNode", "source": source, "full": True}
    try:
        parse_query(query)
    except QueryValidationError:
        return None
    return query


def stored_or_converted_query(insight: Insight) -> dict | None:
    """The insight's query: the stored one, else its legacy filters converted (None when they do not convert)."""
    return insight.query or query_from_filters(insight.filters)


def _map_runnable(node, change):
    """The node with `change` applied to the query that runs (inside InsightVizNode/DataVisualizationNode...)."""
    if getattr(node, "kind", None) in INTERFACE_NODES:
        return node.model_copy(update={"source": _map_runnable(node.source, change)})
    return change(node)


def effective_query(
    insight: Insight,
    *,
    dashboard=None,
    tile=None,
    filters_override: dict | None = None,
    variables_override: dict | None = None,
    tile_filters_override: dict | None = None,
):
    """The insight's query node with dashboard filters and variable overrides applied, or None without a query.

    Raises QueryValidationError when the stored query or the filters do not match the schema.
    """
    query = stored_or_converted_query(insight)
    if not query:
        return None
    node = parse_query(query)
    # The DashboardFilter dict that applies (spec §5.8): tile overrides win, else overrides over dashboard filters.
    filters = dashboard_hooks().effective_filters(dashboard, tile, filters_override, tile_filters_override)
    if filters:
        try:
            dashboard_filter = DashboardFilter.model_validate(filters)
        except PydanticValidationError as error:  # the overrides (or stored dashboard filters) are user input
            first = error.errors(include_url=False)[0]
            location = ".".join(str(part) for part in first["loc"])
            raise ValidationError({"filters_override": [f"Invalid filters: {location}: {first['msg']}"]}) from None
        node = _map_runnable(node, lambda query: apply_filters_override(query, dashboard_filter))
    variables = {**((dashboard.variables or {}) if dashboard is not None else {}), **(variables_override or {})}
    if variables:
        node = _map_runnable(node, lambda query: apply_variables_override(query, variables))
    return node


def insight_result(
    insight: Insight,
    team: Team,
    *,
    mode: str = "force_cache",
    dashboard=None,
    tile=None,
    filters_override: dict | None = None,
    variables_override: dict | None = None,
    tile_filters_override: dict | None = None,
    raise_exposed_errors: bool = True,
    client_query_id: str | None = None,
) -> dict:
    """The InsightResult fields of `insight` (spec §5.6) computed through the runner's `run(mode)`.

    Legacy insights whose filters do not convert to a query (see `query_from_filters`) have a null result.
    Errors (spec §5.7): exposed query errors (HogQL, ClickHouse) raise a 400 ValidationError when
    `raise_exposed_errors`; they and every other failure otherwise give a null result with an error
    `query_status` (its `id` is the request's `client_query_id`), so one broken insight does not break a list.
    """

    def failed(message: str) -> dict:
        return empty_result(
            query_status=error_status(insight, team, message, dashboard=dashboard, query_id=client_query_id)
        )

    try:
        node = effective_query(
            insight,
            dashboard=dashboard,
            tile=tile,
            filters_override=filters_override,
            variables_override=variables_override,
            tile_filters_override=tile_filters_override,
        )
    except QueryValidationError as error:
        return failed(error.detail)
    except ValidationError as error:
        if raise_exposed_errors:
            raise
        detail = error.detail
        if isinstance(detail, dict):
            # The first message about filters_override, else the whole detail.
            messages = detail.get("filters_override")
            return failed(str(messages[0] if isinstance(messages, list) and messages else detail))
        return failed(str(detail))
    if node is None:
        return empty_result()
    try:
        response = get_runner(node, team).run(mode)
    except UnsupportedQueryKind as error:
        return failed(error.message)
    except ConcurrencyLimitExceeded:
        return failed(CONCURRENCY_LIMIT_EXCEEDED)  # PostHog's frontend backs off on this exact text
    except DomainError as error:
        if raise_exposed_errors and error.status_code < 500:
            raise
        if error.status_code >= 500:
            logger.warning("insight_result_unavailable insight_id=%s team_id=%s error=%s", insight.id, team.id, error)
        return failed(error.detail)
    except Exception:
        # A bug of ours or an unexpected driver failure: the text may name internals, so it stays in the log.
        logger.exception("insight_result_failed insight_id=%s team_id=%s", insight.id, team.id)
        return failed(INTERNAL_ERROR)
    return result_fields(response)


def result_fields(response: dict) -> dict:
    """The InsightResult fields of a runner response (a status-only answer leaves the result null)."""
    if "results" not in response and "result" not in response:
        return empty_result(response.get("cache_key"), response.get("query_status"))
    fields = {name: response.get(RESPONSE_KEYS.get(name, name)) for name in RESULT_FIELDS}
    if fields["result"] is None and "result" in response:
        fields["result"] = response["result"]
    fields["is_cached"] = bool(response.get("is_cached"))
    return fields
