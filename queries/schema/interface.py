"""Interface nodes that wrap a source: InsightVizNode, DataTableNode, DataVisualizationNode, SavedInsightNode."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from queries.schema.actors import ActorsQuery, GroupsQuery, PersonsNode
from queries.schema.base import BaseNode, ChartDisplayType, QueryLogTags, SchemaModel
from queries.schema.events import EventsQuery
from queries.schema.hogql import HogQLQuery
from queries.schema.insights import InsightQuery
from queries.schema.series import EventsNode


class ActionsPieOptions(SchemaModel):
    disableHoverOffset: bool | None = None
    hideAggregation: bool | None = None


class RetentionVizOptions(SchemaModel):
    hideLineGraph: bool | None = None
    hideSizeColumn: bool | None = None
    useSmallLayout: bool | None = None


class VizSpecificOptions(SchemaModel):
    ActionsPie: ActionsPieOptions | None = None
    RETENTION: RetentionVizOptions | None = None


class InsightVizViewProps(SchemaModel):
    """Display-only flags of an insight visualisation (spec §1.1)."""

    full: bool | None = None
    embedded: bool | None = None
    showHeader: bool | None = None
    showTable: bool | None = None
    showCorrelationTable: bool | None = None
    showLastComputation: bool | None = None
    showLastComputationRefresh: bool | None = None
    showFilters: bool | None = None
    showResults: bool | None = None
    suppressSessionAnalysisWarning: bool | None = None
    hidePersonsModal: bool | None = None
    hideTooltipOnScroll: bool | None = None
    vizSpecificOptions: VizSpecificOptions | None = None


class DataTableNodeViewPropsContext(SchemaModel):
    type: Literal["event_definition", "team_columns"]
    eventDefinitionId: str | None = None


class DataTableViewProps(SchemaModel):
    """Display-only flags of a data table (spec §1.1)."""

    full: bool | None = None
    embedded: bool | None = None
    expandable: bool | None = None
    propertiesViaUrl: bool | None = None
    allowSorting: bool | None = None
    showEventFilter: bool | None = None
    showEventsFilter: bool | None = None
    showSearch: bool | None = None
    showPropertyFilter: bool | list[str] | None = None
    showTestAccountFilters: bool | None = None
    showHogQLEditor: bool | None = None
    showActions: bool | None = None
    showDateRange: bool | None = None
    showExport: bool | None = None
    showReload: bool | None = None
    showCount: bool | None = None
    showElapsedTime: bool | None = None
    showTimings: bool | None = None
    showColumnConfigurator: bool | None = None
    showPersistentColumnConfigurator: bool | None = None
    showSavedQueries: bool | None = None
    showSavedFilters: bool | None = None
    showTableViews: bool | None = None
    showAbsoluteTime: bool | None = None
    showRecordingColumn: bool | None = None
    showOpenEditorButton: bool | None = None
    showResultsTable: bool | None = None
    showSourceQueryOptions: bool | None = None
    context: DataTableNodeViewPropsContext | None = None
    contextKey: str | None = None
    defaultColumns: list[str] | None = None


class InsightVizNode(InsightVizViewProps, BaseNode):
    kind: Literal["InsightVizNode"] = "InsightVizNode"
    source: InsightQuery


DataTableSource = Annotated[
    EventsNode | EventsQuery | PersonsNode | ActorsQuery | GroupsQuery | HogQLQuery,
    Field(discriminator="kind"),
]


class DataTableNode(DataTableViewProps, BaseNode):
    kind: Literal["DataTableNode"] = "DataTableNode"
    source: DataTableSource
    columns: list[str] | None = Field(default=None, description="HogQL expressions shown as columns.")
    hiddenColumns: list[str] | None = None
    pinnedColumns: list[str] | None = None
    tags: QueryLogTags | None = None
    response: dict[str, Any] | None = None


class DataVisualizationNode(BaseNode):
    """A HogQL query drawn as a chart or table."""

    kind: Literal["DataVisualizationNode"] = "DataVisualizationNode"
    source: HogQLQuery
    display: ChartDisplayType | None = None
    # These UI settings change with every frontend release; they are stored verbatim rather than validated.
    chartSettings: dict[str, Any] | None = None
    tableSettings: dict[str, Any] | None = None


class SavedInsightNode(InsightVizViewProps, DataTableViewProps, BaseNode):
    """A reference to a saved insight by short id, with the view flags of both insight and table nodes."""

    kind: Literal["SavedInsightNode"] = "SavedInsightNode"
    shortId: str


__all__ = [
    "ActionsPieOptions",
    "DataTableNode",
    "DataTableNodeViewPropsContext",
    "DataTableSource",
    "DataTableViewProps",
    "DataVisualizationNode",
    "InsightVizNode",
    "InsightVizViewProps",
    "RetentionVizOptions",
    "SavedInsightNode",
    "VizSpecificOptions",
]
