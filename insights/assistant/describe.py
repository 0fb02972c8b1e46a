"""Deterministic names and descriptions of queries, following the wording of PostHog's insight summaries."""

from __future__ import annotations

import re

from insights.assistant.labels import (
    ACTIVE_USER_MATHS,
    INTERVAL_ADVERBS,
    MATH_SHORT_NAMES,
    PROPERTY_MATHS,
    breakdown_label,
    capitalize,
    date_range_phrase,
    entity_label,
    event_label,
    filters_phrase,
    join_words,
    property_label,
)
from insights.assistant.source import validated_source

FUNNEL_LINKS = {"strict": " ⇉ ", "unordered": " & "}
FUNNEL_ORDERS = {
    "ordered": "in that order",
    "strict": "in strict order with nothing in between",
    "unordered": "in any order",
}
PATH_EVENT_TYPES = {"$pageview": "page views", "$screen": "screen views", "custom_event": "custom events"}
RETENTION_TYPES = {
    "retention_first_time": "for the first time",
    "retention_first_ever_occurrence": "for the first time ever",
    "retention_recurring": "",
}
_COMMENT = re.compile(r"--\s*(.+)$")
_FROM_TABLE = re.compile(r"\bfrom\s+([A-Za-z_][\w.]*)", re.IGNORECASE)


def describe_query(query: dict) -> dict:
    """{"name", "description"} of any query node, without network or database access.

    Raises ValueError("Invalid query format") when `query` is not a valid query node.
    """
    data, source = validated_source(query)
    describer = DESCRIBERS.get(source.get("kind") or "", _describe_other)
    name, description = describer(source, data)
    return {"name": capitalize(name), "description": description}


# --- series ---------------------------------------------------------------------------------------------------


def series_name(node: dict) -> str:
    """ "Pageview count", "Purchase's revenue sum", "Weekly active users", "Pageview count per user average"."""
    label = entity_label(node)
    math = node.get("math") or "total"
    if math in ACTIVE_USER_MATHS and node.get("event") in (None, "$pageview") and node.get("kind") != "ActionsNode":
        return ACTIVE_USER_MATHS[math]
    if math in PROPERTY_MATHS:
        return f"{label}'s {property_label(node.get('math_property'))} {MATH_SHORT_NAMES[math]}"
    if math.endswith("_count_per_actor"):
        return f"{label} count per user {MATH_SHORT_NAMES[math.removesuffix('_count_per_actor')]}"
    if math == "hogql":
        return str(node.get("math_hogql") or "HogQL")
    return f"{label} {MATH_SHORT_NAMES.get(math, math.replace('_', ' '))}"


def _events_noun(node: dict) -> str:
    kind = node.get("kind")
    label = entity_label(node)
    if kind == "ActionsNode":
        return f"events matching the action {label}"
    if kind and "DataWarehouse" in kind:
        return f"rows of {label}"
    if kind == "EventsNode" and node.get("event") is None and not node.get("custom_name"):
        return "all events"
    return f"{label} events"


def _did_phrase(node: dict) -> str:
    """What a user did, after "who did": "Pageview", "the action Paid", "any event"."""
    noun = _events_noun(node)
    if noun == "all events":
        return "any event"
    if node.get("kind") == "ActionsNode":
        return f"the action {entity_label(node)}"
    return noun.removesuffix(" events")


def series_measure(node: dict) -> str:
    """What one series measures, as a noun phrase: "the number of Pageview events"."""
    math = node.get("math") or "total"
    noun = _events_noun(node)
    did = _did_phrase(node)
    if math == "total":
        return f"the number of {noun}"
    if math == "dau":
        return f"the number of unique users who did {did}"
    if math in ACTIVE_USER_MATHS:
        days = 7 if math == "weekly_active" else 30
        return f"{ACTIVE_USER_MATHS[math].lower()} (users who did {did} in the trailing {days} days)"
    if math == "unique_session":
        return f"the number of unique sessions with {noun}"
    if math.startswith("first_time_for_user") or math == "first_matching_event_for_user":
        return f"the number of users who did {did} for the first time"
    if math == "unique_group":
        return f"the number of unique groups that did {did}"
    if math in PROPERTY_MATHS:
        return f"the {MATH_SHORT_NAMES[math]} of {property_label(node.get('math_property'))} over {noun}"
    if math.endswith("_count_per_actor"):
        return f"the {MATH_SHORT_NAMES[math.removesuffix('_count_per_actor')]} number of {noun} per user"
    if math == "hogql":
        return f"{node.get('math_hogql')} over {noun}"
    return f"the {math.replace('_', ' ')} of {noun}"


def _filters_sentence(source: dict, nodes: list[dict] | None = None) -> str:
    parts = []
    global_filters = filters_phrase(source.get("properties"))
    if global_filters:
        parts.append(f"Only events where {global_filters} are counted.")
    for node in nodes or []:
        node_filters = filters_phrase(node.get("properties"))
        if node_filters and nodes and len(nodes) > 1:
            parts.append(f"{entity_label(node)} is limited to {node_filters}.")
        elif node_filters:
            parts.append(f"{entity_label(node)} is limited to events where {node_filters}.")
    if source.get("filterTestAccounts"):
        parts.append("Internal and test users are excluded.")
    return " ".join(parts)


def _sentences(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


# --- insight kinds --------------------------------------------------------------------------------------------


def _describe_trends(source: dict, _data: dict) -> tuple[str, str]:
    series = source.get("series") or []
    interval = source.get("interval") or "day"
    formula = _formula(source)
    names = [series_name(node) for node in series]
    if formula:
        names = [f"{chr(65 + index)}. {name}" for index, name in enumerate(names)]
    name = " & ".join(names) or "Trend"
    by = breakdown_label(source.get("breakdownFilter"))
    if by:
        name += f"{',' if len(series) > 1 else ''} by {by}"
    if formula:
        name = f"{formula} on {name}"
    measures = join_words([series_measure(node) for node in series]) or "no series"
    display = (source.get("trendsFilter") or {}).get("display") or "ActionsLineGraph"
    cadence = "in total" if _is_total_value(display) else f"per {interval}"
    first = f"Shows {measures} {cadence} {date_range_phrase(source.get('dateRange'))}"
    if formula:
        first = f"Shows the formula {formula} over {measures} ({cadence}) {date_range_phrase(source.get('dateRange'))}"
    if by:
        first += f", broken down by {by}"
    if (source.get("compareFilter") or {}).get("compare"):
        first += ", compared with the previous period"
    return name, _sentences(first + ".", _filters_sentence(source, series))


def _is_total_value(display: str) -> bool:
    return display in {"BoldNumber", "ActionsPie", "ActionsTable", "ActionsBarValue", "WorldMap"}


def _formula(source: dict) -> str | None:
    trends_filter = source.get("trendsFilter") or {}
    if trends_filter.get("formula"):
        return trends_filter["formula"]
    nodes = trends_filter.get("formulaNodes") or []
    formulas = trends_filter.get("formulas") or [node.get("formula") for node in nodes]
    return ", ".join(formula for formula in formulas if formula) or None


def _describe_funnels(source: dict, _data: dict) -> tuple[str, str]:
    funnels_filter = source.get("funnelsFilter") or {}
    order = funnels_filter.get("funnelOrderType") or "ordered"
    steps = [entity_label(node) for node in source.get("series") or []]
    viz_type = funnels_filter.get("funnelVizType") or "steps"
    suffix = {"time_to_convert": "time to convert", "trends": "conversion trend"}.get(viz_type, "conversion")
    name = f"{FUNNEL_LINKS.get(order, ' → ').join(steps) or 'Funnel'} {suffix}"
    by = breakdown_label(source.get("breakdownFilter"))
    if by:
        name += f" by {by}"
    actors = "groups" if source.get("aggregation_group_type_index") is not None else "users"
    window = funnels_filter.get("funnelWindowInterval") or 14
    unit = funnels_filter.get("funnelWindowIntervalUnit") or "day"
    conversion_window = f"within {window} {unit}{'' if window == 1 else 's'}"
    what = {
        "time_to_convert": f"Shows how long {actors} take to go from {steps[0] if steps else 'the first step'} to "
        f"{steps[-1] if steps else 'the last step'}",
        "trends": f"Shows how the conversion rate of {actors} through {join_words(steps)} changes over time",
    }.get(viz_type, f"Measures how many {actors} go through {join_words(steps) or 'the funnel steps'}")
    first = f"{what} ({FUNNEL_ORDERS.get(order, 'in that order')}, {conversion_window}) "
    first += date_range_phrase(source.get("dateRange"))
    if by:
        first += f", broken down by {by}"
    exclusions = [entity_label(node) for node in funnels_filter.get("exclusions") or []]
    exclusion = f"Conversions with {join_words(exclusions, 'or')} in between are excluded." if exclusions else ""
    return name, _sentences(first + ".", exclusion, _filters_sentence(source, source.get("series")))


def _describe_retention(source: dict, _data: dict) -> tuple[str, str]:
    retention = source.get("retentionFilter") or {}
    target = retention.get("targetEntity") or {"id": "$pageview", "type": "events"}
    returning = retention.get("returningEntity") or target
    same = (target.get("id"), target.get("type")) == (returning.get("id"), returning.get("type"))
    target_label, returning_label = entity_label(target), entity_label(returning)
    name = f"{target_label} retention" if same else f"{target_label} → {returning_label} retention"
    by = breakdown_label(source.get("breakdownFilter"))
    if by:
        name += f" by {by}"
    period = (retention.get("period") or "Day").lower()
    intervals = retention.get("totalIntervals") or 8
    kind = RETENTION_TYPES.get(retention.get("retentionType") or "retention_recurring", "")
    did = f"did {target_label}{' ' + kind if kind else ''}"
    come_back = "come back to do it again" if same else f"come back to do {returning_label}"
    first = (
        f"Shows what share of users who {did} {come_back} in each following {period}, "
        f"with {INTERVAL_ADVERBS.get(period, period)} cohorts over the last {intervals} {period}s"
    )
    if by:
        first += f", broken down by {by}"
    return name, _sentences(first + ".", _filters_sentence(source))


def _describe_paths(source: dict, _data: dict) -> tuple[str, str]:
    paths = source.get("pathsFilter") or {}
    types = [PATH_EVENT_TYPES.get(kind, "HogQL expressions") for kind in paths.get("includeEventTypes") or []]
    based_on = join_words(types) or "all events"
    start, end = paths.get("startPoint"), paths.get("endPoint")
    name = "User paths"
    if start:
        name += f" starting at {start}"
    if end:
        name += f"{' and' if start else ''} ending at {end}"
    first = f"Shows the most common paths users take through {based_on}"
    if start:
        first += f", starting at {start}"
    if end:
        first += f", ending at {end}"
    first += f", up to {paths.get('stepLimit') or 5} steps, {date_range_phrase(source.get('dateRange'))}"
    excluded = paths.get("excludeEvents") or []
    exclusion = f"{join_words([event_label(event) for event in excluded])} events are ignored." if excluded else ""
    return name, _sentences(first + ".", exclusion, _filters_sentence(source))


def _describe_stickiness(source: dict, _data: dict) -> tuple[str, str]:
    series = source.get("series") or []
    name = " & ".join(f"{entity_label(node)} stickiness" for node in series) or "Stickiness"
    interval = source.get("interval") or "day"
    labels = join_words([_did_phrase(node) for node in series])
    first = (
        f"Shows how many users did {labels} on 1, 2, 3 or more {interval}s {date_range_phrase(source.get('dateRange'))}"
    )
    return name, _sentences(first + ".", _filters_sentence(source, series))


def _describe_lifecycle(source: dict, _data: dict) -> tuple[str, str]:
    series = source.get("series") or []
    label = entity_label(series[0]) if series else "All events"
    did = _did_phrase(series[0]) if series else "any event"
    interval = source.get("interval") or "day"
    first = (
        f"Splits the users who did {did} each {interval} into new, returning, resurrecting and dormant "
        f"{date_range_phrase(source.get('dateRange'))}"
    )
    return f"{label} lifecycle", _sentences(first + ".", _filters_sentence(source, series))


def _describe_hogql(source: dict, data: dict) -> tuple[str, str]:
    sql = " ".join(str(source.get("query") or "").split())
    tables = list(dict.fromkeys(match.group(1) for match in _FROM_TABLE.finditer(sql)))
    name = source.get("name") or (f"SQL query on {join_words(tables)}" if tables else "SQL query")
    shown = "as a chart" if data.get("kind") == "DataVisualizationNode" else "as a table"
    excerpt = sql if len(sql) <= 120 else sql[:117] + "..."
    return name, f"Runs a custom SQL (HogQL) query and shows its rows {shown}: {excerpt}"


def _column_label(expression: str) -> str:
    match = _COMMENT.search(expression)
    if match:
        return match.group(1).strip()
    if expression == "*":
        return "all fields"
    return property_label(expression.strip())


def _describe_events(source: dict, data: dict) -> tuple[str, str]:
    columns = (data.get("columns") if data.get("kind") == "DataTableNode" else None) or source.get("select") or []
    labels = [_column_label(column) for column in columns]
    event = source.get("event") or (", ".join(source.get("events") or []) or None)
    noun = f"{event_label(event)} events" if event else "Events"
    name = f"{noun}: {', '.join(labels[:3])}" if labels else noun
    if len(labels) > 3:
        name += f" and {len(labels) - 3} more"
    parts = [f"Lists {noun if event else 'events'} with the columns {join_words(labels)}" if labels else "Lists events"]
    if source.get("after") or source.get("before"):
        window = {"date_from": source.get("after") or "all", "date_to": source.get("before")}
        parts.append(date_range_phrase(window))
    filters = filters_phrase(source.get("properties"))
    if filters:
        parts.append(f"where {filters}")
    if source.get("where"):
        parts.append(f"where {' and '.join(source['where'])}")
    if source.get("orderBy"):
        parts.append(f"ordered by {', '.join(source['orderBy'])}")
    return name, " ".join(parts) + "."


def _describe_actors(source: dict, _data: dict) -> tuple[str, str]:
    inner = source.get("source")
    if isinstance(inner, dict) and isinstance(inner.get("source"), dict):
        insight = describe_query(inner["source"])["name"]
        return f"Persons in {insight}", f"Lists the persons behind the insight {insight}."
    search = source.get("search")
    name = f"Persons matching {search!r}" if search else "Persons"
    filters = filters_phrase(source.get("properties"))
    description = "Lists persons" + (f" whose {filters}" if filters else "")
    return name, description + (f" matching {search!r}." if search else ".")


def _describe_groups(source: dict, _data: dict) -> tuple[str, str]:
    index = source.get("group_type_index")
    return f"Groups of type {index}", f"Lists the groups of group type {index}."


def _describe_other(source: dict, _data: dict) -> tuple[str, str]:
    if source.get("kind") in ("EventsNode", "ActionsNode"):
        return series_name(source), f"Shows {series_measure(source)}."
    words = re.sub(r"(?<!^)(?=[A-Z][a-z])", " ", str(source.get("kind"))).lower()
    article = "An" if words[:1] in ("a", "e", "i", "o", "u") else "A"
    return capitalize(words), f"{article} {words}."


DESCRIBERS = {
    "TrendsQuery": _describe_trends,
    "FunnelsQuery": _describe_funnels,
    "RetentionQuery": _describe_retention,
    "PathsQuery": _describe_paths,
    "StickinessQuery": _describe_stickiness,
    "LifecycleQuery": _describe_lifecycle,
    "HogQLQuery": _describe_hogql,
    "EventsQuery": _describe_events,
    "ActorsQuery": _describe_actors,
    "PersonsNode": _describe_actors,
    "GroupsQuery": _describe_groups,
}

__all__ = ["describe_query", "series_measure", "series_name"]
