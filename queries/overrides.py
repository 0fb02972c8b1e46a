"""Dashboard filters and variable overrides laid over a query before it runs (spec query-engine §0).

Properties are AND-ed with the query's own, date_from/date_to replace its date range, a breakdown filter
replaces its breakdown. Overrides change the query, so they change its cache key too.
"""

from typing import Any

from queries.schema import DateRange, PropertyGroupFilter, PropertyGroupFilterValue

DATE_FIELDS = ("date_from", "date_to", "explicitDate")


def _and(own: Any, extra: list) -> Any:
    """The query's properties AND the dashboard's, keeping a plain list when the query had one."""
    if not extra:
        return own
    if own is None or isinstance(own, list):
        return [*(own or []), *extra]
    return PropertyGroupFilter(
        type="AND",
        values=[PropertyGroupFilterValue(type="AND", values=[own]), PropertyGroupFilterValue(type="AND", values=extra)],
    )


def _date_range(current: DateRange | None, filters) -> DateRange | None:
    update = {name: getattr(filters, name) for name in DATE_FIELDS if getattr(filters, name) is not None}
    if not update:
        return current
    return (current or DateRange()).model_copy(update=update)


def apply_filters_override(query, filters) -> Any:
    """The query with a DashboardFilter applied (the query itself when there is nothing to apply)."""
    if filters is None:
        return query
    fields = type(query).model_fields
    update: dict[str, Any] = {}
    if "dateRange" in fields:
        update["dateRange"] = _date_range(query.dateRange, filters)
    if "properties" in fields and filters.properties:
        update["properties"] = _and(query.properties, list(filters.properties))
    if "breakdownFilter" in fields and filters.breakdown_filter is not None:
        update["breakdownFilter"] = filters.breakdown_filter
    if "interval" in fields and filters.interval is not None:
        update["interval"] = filters.interval
    if "filterTestAccounts" in fields and filters.filterTestAccounts is not None:
        update["filterTestAccounts"] = filters.filterTestAccounts
    if query.kind == "HogQLQuery":
        from queries.schema import HogQLFilters

        current = query.filters or HogQLFilters()
        hogql_update: dict[str, Any] = {"dateRange": _date_range(current.dateRange, filters)}
        if filters.properties:
            hogql_update["properties"] = [*(current.properties or []), *filters.properties]
        if filters.filterTestAccounts is not None:
            hogql_update["filterTestAccounts"] = filters.filterTestAccounts
        update["filters"] = current.model_copy(update=hogql_update)
    if query.kind == "EventsQuery" and (filters.date_from or filters.date_to):
        # An events table reads its range from `after`/`before`.
        update["after"] = filters.date_from
        if filters.date_to is not None or query.before is not None:
            update["before"] = filters.date_to
    return query.model_copy(update=update)


def apply_variables_override(query, overrides: dict[str, dict] | None) -> Any:
    """HogQL variables with values from `variables_override` (keyed by variable id)."""
    if not overrides or getattr(query, "kind", None) != "HogQLQuery" or not query.variables:
        return query
    variables = {}
    for variable_id, variable in query.variables.items():
        override = overrides.get(variable_id) or overrides.get(variable.variableId)
        variables[variable_id] = (
            variable.model_copy(update={"value": override["value"]}) if override and "value" in override else variable
        )
    return query.model_copy(update={"variables": variables})
