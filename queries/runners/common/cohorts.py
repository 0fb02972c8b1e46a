"""Cohort breakdowns (spec query-engine §3.6, actors-cohorts §3.7): one value per cohort, `all` for all users, each
answered as the query restricted to the cohort's members."""

from queries.hogql import ast
from queries.hogql.errors import QueryError

ALL_USERS = ("all", "0", 0)


def cohort_breakdown_values(query) -> list | None:
    """The cohorts of a `breakdown_type: cohort` breakdown (ids, and "all"), or None for other breakdowns."""
    breakdown = getattr(query, "breakdownFilter", None)
    if breakdown is None or (breakdown.breakdown_type or "event") != "cohort":
        return None
    values = breakdown.breakdown if isinstance(breakdown.breakdown, list) else [breakdown.breakdown]
    cleaned: list[int | str] = []
    for value in values:
        if value in ALL_USERS:
            cleaned.append("all")
        elif str(value).isdigit():
            cleaned.append(int(value))
        else:
            raise QueryError(f"Invalid cohort in breakdown: {value}")
    return cleaned


def cohort_value_label(value) -> str:
    """The breakdown value of a cohort in trends and retention: its id as text, "0" for all users."""
    return "0" if value == "all" else str(value)


def cohort_condition(value, person: ast.Expr | None = None) -> ast.Expr | None:
    """Members of the cohort (None for all users)."""
    if value == "all":
        return None
    return ast.CompareOperation("in cohort", person or ast.Field(["person_id"]), ast.Constant(int(value)))


def cohort_filter(value) -> dict | None:
    return None if value == "all" else {"type": "cohort", "key": "id", "value": int(value), "operator": "in"}


def restricted_to_cohort(query, value):
    """A copy of the query without its breakdown, its properties ANDed with membership of the cohort."""
    update: dict = {"breakdownFilter": None}
    extra = cohort_filter(value)
    if extra is not None:
        properties = query.properties
        if properties is None:
            update["properties"] = [extra]
        elif isinstance(properties, list):
            update["properties"] = [*properties, extra]
        else:
            update["properties"] = {"type": "AND", "values": [properties, {"type": "AND", "values": [extra]}]}
    return query.model_copy(update=update)
