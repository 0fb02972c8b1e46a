"""Which runner answers which query kind; interface nodes are unwrapped to their source first."""

from insights_server.models import Team
from queries.hogql.errors import QueryError
from queries.runners.actors.insight_actors import InsightActorsQueryOptionsRunner, InsightActorsQueryRunner
from queries.runners.actors.runner import ActorsQueryRunner
from queries.runners.base import QueryRunner
from queries.runners.events_query import EventsQueryRunner
from queries.runners.funnels.runner import FunnelsQueryRunner
from queries.runners.hog_query import HogQueryRunner
from queries.runners.hogql_query import HogQLQueryRunner
from queries.runners.lifecycle import LifecycleQueryRunner
from queries.runners.metadata import HogQLMetadataRunner
from queries.runners.paths import PathsQueryRunner
from queries.runners.retention import RetentionQueryRunner
from queries.runners.stickiness import StickinessQueryRunner
from queries.runners.trends.runner import TrendsQueryRunner

RUNNERS: dict[str, type[QueryRunner]] = {
    runner.kind: runner
    for runner in (
        HogQLQueryRunner,
        EventsQueryRunner,
        HogQLMetadataRunner,
        TrendsQueryRunner,
        LifecycleQueryRunner,
        StickinessQueryRunner,
        FunnelsQueryRunner,
        PathsQueryRunner,
        RetentionQueryRunner,
        HogQueryRunner,
        ActorsQueryRunner,
        InsightActorsQueryRunner,
        InsightActorsQueryOptionsRunner,
    )
}
# The actors runners reach the insight runners through this map (they cannot import the registry: a circle).
ActorsQueryRunner.insight_runners.update(RUNNERS)
INTERFACE_NODES = {"InsightVizNode", "DataTableNode", "DataVisualizationNode"}


class UnsupportedQueryKind(QueryError):
    pass


def runnable(query):
    """The node that actually runs: the `source` of interface nodes."""
    while getattr(query, "kind", None) in INTERFACE_NODES:
        query = query.source
    return query


def get_runner(query, team: Team) -> QueryRunner:
    query = runnable(query)
    runner = RUNNERS.get(query.kind)
    if runner is None:
        raise UnsupportedQueryKind(f"Query kind {query.kind} is not supported yet.")
    return runner(query, team)
