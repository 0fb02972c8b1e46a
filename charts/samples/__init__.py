"""Example queries and results of every kind, shaped exactly as the runners answer (for tests, bench, gallery)."""

from charts.samples.common import BROWSERS, NULL
from charts.samples.funnels import (
    FUNNEL_EVENTS,
    funnel_query,
    funnel_steps_result,
    funnel_time_result,
    funnel_trends_result,
)
from charts.samples.insights import (
    PATH_EDGES,
    events_query,
    events_result,
    hogql_chart_query,
    hogql_chart_result,
    hogql_query,
    hogql_result,
    lifecycle_query,
    lifecycle_result,
    paths_query,
    paths_result,
    retention_query,
    retention_result,
    stickiness_query,
    stickiness_result,
)
from charts.samples.trends import bold_number_result, trends_query, trends_result, trends_total_result

__all__ = [
    "BROWSERS",
    "FUNNEL_EVENTS",
    "NULL",
    "PATH_EDGES",
    "bold_number_result",
    "events_query",
    "events_result",
    "funnel_query",
    "funnel_steps_result",
    "funnel_time_result",
    "funnel_trends_result",
    "hogql_chart_query",
    "hogql_chart_result",
    "hogql_query",
    "hogql_result",
    "lifecycle_query",
    "lifecycle_result",
    "paths_query",
    "paths_result",
    "retention_query",
    "retention_result",
    "stickiness_query",
    "stickiness_result",
    "trends_query",
    "trends_result",
    "trends_total_result",
]
