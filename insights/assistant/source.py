"""Validate a query dict and find the node the assistant reasons about (the source of interface nodes)."""

from __future__ import annotations

from queries.schema import QueryValidationError, parse_query, query_to_dict

INVALID_QUERY = "Invalid query format"
INTERFACE_KINDS = {"InsightVizNode", "DataTableNode", "DataVisualizationNode"}
INSIGHT_KINDS = {"TrendsQuery", "FunnelsQuery", "RetentionQuery", "PathsQuery", "StickinessQuery", "LifecycleQuery"}


def validated_source(query: object) -> tuple[dict, dict]:
    """(the validated query, its innermost source) as JSON dicts.

    Raises ValueError(INVALID_QUERY) when `query` is not a dict the query schema accepts.
    """
    if not isinstance(query, dict) or not query.get("kind"):
        raise ValueError(INVALID_QUERY)
    try:
        node = parse_query(query)
    except (QueryValidationError, TypeError):
        raise ValueError(INVALID_QUERY) from None
    data = query_to_dict(node)
    source = data
    while source.get("kind") in INTERFACE_KINDS and isinstance(source.get("source"), dict):
        source = source["source"]
    return data, source


def insight_source(query: object) -> dict | None:
    """The insight query (TrendsQuery, FunnelsQuery, ...) inside `query`; None when there is none or it is invalid."""
    try:
        _, source = validated_source(query)
    except ValueError:
        return None
    return source if source.get("kind") in INSIGHT_KINDS else None


def viz(source: dict) -> dict:
    """Wrap an insight query in an InsightVizNode, the shape saved insights and suggestions use."""
    return {"kind": "InsightVizNode", "source": source}
