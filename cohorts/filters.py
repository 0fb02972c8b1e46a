"""The dynamic cohort filter language (spec actors-cohorts §3.4): validation, legacy `groups`, references to other
cohorts (cycles, dependency order) and the derived cohort type."""

import contextlib
from collections.abc import Iterator
from typing import Any

PROPERTIES_REQUIRED = "Must contain a 'properties' key with type and values"
CYCLE = "Cohorts cannot reference other cohorts in a loop."
INVALID_REFERENCE = "Invalid Cohort ID in filter"
GROUP_NEEDS_SOMETHING = "Cohort group needs properties or action_id or event_id"
BEHAVIOURS = {
    "performed_event",
    "performed_event_multiple",
    "performed_event_first_time",
    "performed_event_sequence",
    "performed_event_regularly",
    "stopped_performing_event",
    "restarted_performing_event",
}
ANALYTICAL_BEHAVIOURS = {
    "performed_event_first_time",
    "performed_event_regularly",
    "performed_event_sequence",
    "stopped_performing_event",
    "restarted_performing_event",
}
COUNT_OPERATORS = {"gt", "gte", "lt", "lte", "eq", "exact", None}
REGULARLY_INTERVALS = "performed_event_regularly counts periods of days, weeks, months or years"
REQUIRED_KEYS = {
    "person": ("key", "operator", "value"),
    "cohort": ("key", "value"),
    "behavioral": ("key", "value", "event_type"),
}


class CohortFilterError(ValueError):
    pass


def leaves(group) -> Iterator[dict]:
    """Every filter (leaf) of a filter tree."""
    if isinstance(group, dict) and "values" in group and group.get("type") in ("AND", "OR"):
        for value in group["values"]:
            yield from leaves(value)
    elif isinstance(group, dict):
        yield group


def validate_filters(filters) -> None:
    """Raises CohortFilterError with PostHog's message for a malformed filter tree."""
    if not isinstance(filters, dict) or "properties" not in filters:
        raise CohortFilterError(PROPERTIES_REQUIRED)
    root = filters["properties"]
    if not isinstance(root, dict) or root.get("type") not in ("AND", "OR") or not isinstance(root.get("values"), list):
        raise CohortFilterError(PROPERTIES_REQUIRED)
    for leaf in leaves(root):
        kind = leaf.get("type")
        if kind not in REQUIRED_KEYS:
            raise CohortFilterError(f"Invalid property type for Cohort queries: {kind}")
        required = REQUIRED_KEYS[kind]
        if kind == "person" and leaf.get("operator") in ("is_set", "is_not_set"):
            required = ("key", "operator")
        missing = [name for name in required if leaf.get(name) is None]
        if missing:
            label = {"person": "person", "cohort": "cohort", "behavioral": "behavioral"}[kind]
            ordered = [name for name in ("value", "operator", "key", "event_type") if name in missing]
            raise CohortFilterError(f"Missing required keys for {label} filter: {', '.join(ordered)}")
        if kind == "behavioral":
            validate_behavioral(leaf)


def validate_behavioral(leaf: dict) -> None:
    if leaf["value"] not in BEHAVIOURS:
        raise CohortFilterError(f"Invalid behavioral property value for Cohort: {leaf['value']}")
    if leaf.get("event_type") not in ("events", "actions"):
        raise CohortFilterError("Event type must be 'events' or 'actions'")
    if leaf.get("time_value") is not None:
        positive_integer(leaf, "time_value")
    interval = leaf.get("time_interval")
    if interval is not None and interval not in ("minute", "hour", "day", "week", "month", "year"):
        raise CohortFilterError(f"Invalid interval: {interval}")
    counted = leaf["value"] in ("performed_event_multiple", "performed_event_regularly")
    if counted and leaf.get("operator") not in COUNT_OPERATORS:
        raise CohortFilterError("count_operator must be gt(e), lt(e), exact, or None")
    if leaf["value"] == "performed_event_regularly":
        validate_regularly(leaf)


def positive_integer(leaf: dict, name: str) -> int:
    """PostHog's `parse_and_validate_positive_integer` messages."""
    value = leaf.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CohortFilterError(f"{name} must be an integer, got {value}")
    if value <= 0:
        raise CohortFilterError(f"{name} must be greater than 0, got {value}")
    return value


def validate_regularly(leaf: dict) -> None:
    """`performed_event_regularly` needs every number of "N times per T intervals in M of the last P periods"."""
    for name in ("time_value", "operator_value", "min_periods"):
        positive_integer(leaf, name)
    min_periods, total_periods = leaf["min_periods"], positive_integer(leaf, "total_periods")
    if min_periods > total_periods:
        raise CohortFilterError(f"min_periods ({min_periods}) cannot be greater than total_periods ({total_periods})")
    if leaf.get("time_interval") in ("minute", "hour"):
        raise CohortFilterError(REGULARLY_INTERVALS)


def groups_to_filters(groups: list) -> dict:
    """Legacy `groups` (OR of property groups and action/event groups) as a filter tree (spec §3.4.4)."""
    values = []
    for group in groups or []:
        if group.get("properties"):
            properties = group["properties"]
            if isinstance(properties, dict):
                properties = [
                    {"key": k, "value": v, "operator": "exact", "type": "person"} for k, v in properties.items()
                ]
            items = [{**item, "type": item.get("type") if item.get("type") not in (None, "event") else "person"}
                     for item in properties]  # fmt: skip
            values.append({"type": "AND", "values": items})
        elif group.get("action_id") is not None or group.get("event_id") is not None:
            count = group.get("count")
            by_action = group.get("action_id") is not None
            behavioral: dict[str, Any] = {
                "type": "behavioral",
                "key": group["action_id"] if by_action else group["event_id"],
                "event_type": "actions" if by_action else "events",
                "value": "performed_event_multiple" if count else "performed_event",
                "time_interval": "day",
                "time_value": group.get("days") or 365,
                "operator": group.get("count_operator"),
                "operator_value": count,
            }
            values.append(behavioral)
        else:
            raise CohortFilterError(GROUP_NEEDS_SOMETHING)
    return {"properties": {"type": "OR", "values": values}}


def effective_filters(cohort) -> dict | None:
    """The filter tree of a cohort: its `filters`, or its legacy `groups` converted."""
    if cohort.filters and cohort.filters.get("properties"):
        return cohort.filters
    if cohort.groups:
        try:
            return groups_to_filters(cohort.groups)
        except CohortFilterError:
            return None
    return None


def referenced_ids(filters) -> list[int]:
    if not filters:
        return []
    return [int(leaf["value"]) for leaf in leaves(filters.get("properties")) if leaf.get("type") == "cohort"]


def has_behavioral(filters) -> bool:
    return bool(filters) and any(leaf.get("type") == "behavioral" for leaf in leaves(filters.get("properties")))


def check_references(cohort_id: int | None, filters, lookup) -> None:
    """No loop through `type: cohort` references (self included) and no unknown cohort.

    `lookup(id)` returns the referenced cohort's filter tree, or raises KeyError when it is not in the project.
    """
    seen_path: list[int] = []

    def visit(ids: list[int]) -> None:
        for ref in ids:
            if cohort_id is not None and ref == cohort_id or ref in seen_path:
                raise CohortFilterError(CYCLE)
            try:
                child = lookup(ref)
            except KeyError:
                raise CohortFilterError(INVALID_REFERENCE) from None
            seen_path.append(ref)
            visit(referenced_ids(child))
            seen_path.pop()

    visit(referenced_ids(filters))


def derived_type(cohort, lookup) -> str:
    """static / analytical / behavioral / person_property (spec §3.4.1), referenced cohorts included."""
    if cohort.is_static:
        return "static"
    if cohort.query:
        return "analytical"
    rank = {"person_property": 0, "behavioral": 1, "analytical": 2}
    best = "person_property"

    def visit(filters, depth: int) -> None:
        nonlocal best
        if depth > 20:
            return
        for leaf in leaves((filters or {}).get("properties")):
            kind = "person_property"
            if leaf.get("type") == "behavioral":
                kind = "analytical" if leaf.get("value") in ANALYTICAL_BEHAVIOURS else "behavioral"
            elif leaf.get("type") == "cohort":
                with contextlib.suppress(KeyError):
                    visit(lookup(int(leaf["value"])), depth + 1)
            if rank[kind] > rank[best]:
                best = kind

    visit(effective_filters(cohort), 0)
    return best
