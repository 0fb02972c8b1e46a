"""Related queries for an insight: a breakdown, a funnel from a trend, another interval or math, other kinds."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable

from insights.assistant.describe import describe_query
from insights.assistant.labels import breakdown_keys, entity_label, property_filters, property_label
from insights.assistant.source import insight_source, viz

logger = logging.getLogger(__name__)

DEFAULT_BREAKDOWNS = ["$browser", "$os", "$device_type", "$geoip_country_code", "$referring_domain"]
NEXT_INTERVAL = {"minute": "hour", "hour": "day", "day": "week", "week": "month", "month": "week"}
NEXT_RETENTION_PERIOD = {"Hour": "Day", "Day": "Week", "Week": "Month", "Month": "Week"}
# Fields an insight query carries over into every suggestion derived from it.
SHARED_FIELDS = ("dateRange", "properties", "filterTestAccounts", "samplingFactor")
SERIES_FIELDS = ("kind", "event", "id", "name", "custom_name", "properties")
MAX_SUGGESTIONS = 5


def suggest_queries(query: dict, response: dict | None = None, context: object = None) -> list[dict]:
    """Related insight queries as `{"title", "description", "query": InsightVizNode}` dicts, most useful first.

    `context` may be a dict with `breakdown` (a property to split by) or `properties` (candidate property keys).
    Returns [] when `query` has no valid insight query inside it.
    """
    source = insight_source(query)
    if source is None:
        return []
    builders = SUGGESTERS.get(source["kind"], [])
    suggestions, seen = [], set()
    for builder in builders:
        try:
            built = builder(source, response, context if isinstance(context, dict) else {})
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
            # Only builders that read the cached result can fail, on a result of an unexpected shape.
            logger.warning("insights_suggestion_skipped kind=%s error=%r", source["kind"], error)
            continue
        candidate, qualifier = built if isinstance(built, tuple) else (built, None)
        if candidate is None or candidate == source:
            continue
        key = repr(sorted(candidate.items()))
        if key in seen:
            continue
        seen.add(key)
        try:
            suggestions.append(_suggestion(candidate, qualifier))
        except ValueError as error:  # never hand out a query the schema rejects
            logger.warning("insights_suggestion_invalid kind=%s error=%r", candidate.get("kind"), error)
    return suggestions[:MAX_SUGGESTIONS]


def _suggestion(source: dict, qualifier: str | None = None) -> dict:
    """One suggestion; `qualifier` tells apart suggestions whose derived names would be the same.

    Raises ValueError when the schema rejects the suggested query (describe_query validates it).
    """
    node = viz(source)
    metadata = describe_query(node)
    title = f"{metadata['name']} ({qualifier})" if qualifier else metadata["name"]
    return {"title": title, "description": metadata["description"], "query": node}


def _base(source: dict, kind: str) -> dict:
    base = {"kind": kind, **{field: copy.deepcopy(source[field]) for field in SHARED_FIELDS if field in source}}
    retention = source.get("retentionFilter")
    if retention is not None and "dateRange" not in base:  # cover the retention window in the derived insight
        unit = {"Hour": "h", "Week": "w", "Month": "m"}.get(retention.get("period") or "Day", "d")
        base["dateRange"] = {"date_from": f"-{retention.get('totalIntervals') or 8}{unit}"}
    return base


def _plain_series(node: dict, **extra) -> dict:
    """A series node with its entity and filters but no math, for use in another insight kind."""
    kind = node.get("kind") if node.get("kind") in ("EventsNode", "ActionsNode") else "EventsNode"
    plain = {field: copy.deepcopy(node[field]) for field in SERIES_FIELDS if field in node and field != "kind"}
    if kind == "EventsNode":
        plain.setdefault("event", None)
        plain.pop("id", None)
    return {"kind": kind, **plain, **extra}


def _first_series(source: dict) -> dict:
    series = source.get("series") or []
    if series:
        node = series[0]
        if node.get("kind") == "GroupNode" and node.get("nodes"):
            node = node["nodes"][0]
        return node
    retention = source.get("retentionFilter") or {}
    entity = retention.get("targetEntity") or {"id": "$pageview", "type": "events"}
    if entity.get("type") == "actions":
        return {"kind": "ActionsNode", "id": int(entity["id"]), "name": entity.get("name")}
    return {"kind": "EventsNode", "event": entity.get("id") if entity.get("id") is not None else "$pageview"}


def breakdown_candidate(source: dict, context: dict) -> str:
    """A property to break down by: from the context, else a filtered-on event property, else a common one."""
    current = {str(key) for key in breakdown_keys(source.get("breakdownFilter"))}
    candidates = []
    if isinstance(context.get("breakdown"), str) and context["breakdown"]:
        candidates.append(context["breakdown"])
    hinted = context.get("properties")
    candidates += [key for key in hinted if isinstance(key, str)] if isinstance(hinted, list) else []
    leaves = property_filters(source.get("properties"))
    for node in source.get("series") or []:
        leaves += property_filters(node.get("properties"))
    candidates += [leaf["key"] for leaf in leaves if leaf.get("type") == "event" and isinstance(leaf.get("key"), str)]
    candidates += DEFAULT_BREAKDOWNS
    return next(key for key in candidates if key not in current)


# --- trends ---------------------------------------------------------------------------------------------------


def _trends_breakdown(source: dict, _response, context: dict) -> dict:
    key = breakdown_candidate(source, context)
    suggestion = copy.deepcopy(source)
    suggestion["breakdownFilter"] = {"breakdown": key, "breakdown_type": "event"}
    suggestion.pop("compareFilter", None)
    return suggestion


def _trends_as_funnel(source: dict, _response, _context) -> dict | None:
    series = [node for node in source.get("series") or [] if node.get("kind") in ("EventsNode", "ActionsNode")]
    if len(series) < 2:
        return None
    return {**_base(source, "FunnelsQuery"), "series": [_plain_series(node) for node in series]}


def _trends_other_interval(source: dict, _response, _context) -> tuple[dict, str]:
    suggestion = copy.deepcopy(source)
    suggestion["interval"] = NEXT_INTERVAL.get(source.get("interval") or "day", "week")
    return suggestion, f"per {suggestion['interval']}"


def _trends_other_math(source: dict, _response, _context) -> dict | None:
    series = source.get("series") or []
    if not series:
        return None
    suggestion = copy.deepcopy(source)
    for node in suggestion["series"]:
        node["math"] = "dau" if (node.get("math") or "total") == "total" else "total"
        for field in ("math_property", "math_hogql", "math_group_type_index", "math_property_type"):
            node.pop(field, None)
    return suggestion


def _trends_compare(source: dict, _response, _context) -> tuple[dict, str] | None:
    if (source.get("compareFilter") or {}).get("compare") or source.get("breakdownFilter"):
        return None
    return {**copy.deepcopy(source), "compareFilter": {"compare": True}}, "vs previous period"


# --- funnels --------------------------------------------------------------------------------------------------


def _funnel_first_step_trend(source: dict, _response, _context) -> dict:
    node = _plain_series(_first_series(source), math="total")
    return {**_base(source, "TrendsQuery"), "series": [node], "interval": source.get("interval") or "day"}


def _funnel_viz(viz_type: str) -> Callable:
    def build(source: dict, _response, _context) -> dict | None:
        funnels_filter = source.get("funnelsFilter") or {}
        if (funnels_filter.get("funnelVizType") or "steps") == viz_type:
            return None
        suggestion = copy.deepcopy(source)
        suggestion["funnelsFilter"] = {**funnels_filter, "funnelVizType": viz_type}
        if viz_type != "steps":
            suggestion.pop("breakdownFilter", None)
        return suggestion

    return build


def _funnel_breakdown(source: dict, _response, context: dict) -> dict:
    suggestion = copy.deepcopy(source)
    suggestion["breakdownFilter"] = {"breakdown": breakdown_candidate(source, context), "breakdown_type": "event"}
    suggestion["funnelsFilter"] = {**(source.get("funnelsFilter") or {}), "funnelVizType": "steps"}
    return suggestion


# --- retention, lifecycle, stickiness, paths ------------------------------------------------------------------


def _unique_users_trend(source: dict, _response, _context) -> dict:
    node = _plain_series(_first_series(source), math="dau")
    return {**_base(source, "TrendsQuery"), "series": [node], "interval": _interval(source)}


def _interval(source: dict) -> str:
    period = (source.get("retentionFilter") or {}).get("period")
    return period.lower() if period else source.get("interval") or "day"


def _lifecycle(source: dict, _response, _context) -> dict:
    node = _plain_series(_first_series(source))
    return {**_base(source, "LifecycleQuery"), "series": [node], "interval": _interval(source)}


def _stickiness(source: dict, _response, _context) -> dict:
    node = _plain_series(_first_series(source))
    return {**_base(source, "StickinessQuery"), "series": [node], "interval": _interval(source)}


def _retention(source: dict, _response, _context) -> dict:
    node = _first_series(source)
    entity = (
        {"id": node.get("id"), "type": "actions", "name": entity_label(node)}
        if node.get("kind") == "ActionsNode"
        else {"id": node.get("event") or "$pageview", "type": "events"}
    )
    period = {"hour": "Hour", "week": "Week", "month": "Month"}.get(source.get("interval") or "day", "Day")
    retention_filter = {"targetEntity": entity, "returningEntity": entity, "period": period, "totalIntervals": 8}
    return {**_base(source, "RetentionQuery"), "retentionFilter": retention_filter}


def _retention_other_period(source: dict, _response, _context) -> tuple[dict, str]:
    suggestion = copy.deepcopy(source)
    period = (source.get("retentionFilter") or {}).get("period") or "Day"
    suggestion["retentionFilter"]["period"] = NEXT_RETENTION_PERIOD.get(period, "Week")
    return suggestion, f"{suggestion['retentionFilter']['period'].lower()}ly cohorts".replace("dayly", "daily")


def _retention_breakdown(source: dict, _response, context: dict) -> dict:
    suggestion = copy.deepcopy(source)
    key = breakdown_candidate(source, context)
    suggestion["breakdownFilter"] = {"breakdown": key, "breakdown_type": "event"}
    return suggestion


def _paths_pages_trend(source: dict, _response, _context) -> dict:
    node = {"kind": "EventsNode", "event": "$pageview", "math": "total"}
    breakdown = {"breakdown": "$pathname", "breakdown_type": "event"}
    return {**_base(source, "TrendsQuery"), "series": [node], "breakdownFilter": breakdown}


def _paths_from_top_target(source: dict, response, _context) -> dict | None:
    """Paths that start where most users went after the current start, read from the cached edges."""
    edges = [edge for edge in (response or {}).get("results") or (response or {}).get("result") or [] if edge]
    first_steps = [edge for edge in edges if isinstance(edge, dict) and str(edge.get("source", "")).startswith("1_")]
    if not first_steps:
        return None
    top = max(first_steps, key=lambda edge: edge.get("value") or 0)
    target = str(top.get("target", "")).partition("_")[2]
    if not target:
        return None
    suggestion = copy.deepcopy(source)
    suggestion["pathsFilter"] = {**source["pathsFilter"], "startPoint": target}
    suggestion["pathsFilter"].pop("endPoint", None)
    return suggestion


def _paths_as_funnel(source: dict, _response, _context) -> dict | None:
    paths = source.get("pathsFilter") or {}
    start, end = paths.get("startPoint"), paths.get("endPoint")
    if not (start and end):
        return None
    steps = [{"kind": "EventsNode", "event": "$pageview", "properties": [_url_filter(point)]} for point in (start, end)]
    for step, point in zip(steps, (start, end), strict=True):
        step["custom_name"] = f"Viewed {property_label(point)}"
    return {**_base(source, "FunnelsQuery"), "series": steps}


def _url_filter(point: str) -> dict:
    key = "$current_url" if point.startswith("http") else "$pathname"
    return {"key": key, "value": point, "operator": "exact", "type": "event"}


SUGGESTERS: dict[str, list[Callable]] = {
    "TrendsQuery": [_trends_breakdown, _trends_as_funnel, _trends_other_interval, _trends_other_math, _trends_compare],
    "FunnelsQuery": [
        _funnel_first_step_trend,
        _funnel_viz("time_to_convert"),
        _funnel_breakdown,
        _funnel_viz("trends"),
    ],
    "RetentionQuery": [_unique_users_trend, _lifecycle, _retention_other_period, _retention_breakdown],
    "LifecycleQuery": [_unique_users_trend, _stickiness, _retention],
    "StickinessQuery": [_lifecycle, _unique_users_trend, _retention],
    "PathsQuery": [_paths_pages_trend, _paths_from_top_target, _paths_as_funnel],
}
