"""Insight queries: Trends, Funnels, Retention, Paths, Stickiness, Lifecycle, CalendarHeatmap (spec §1.4-1.10)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from queries.schema.base import DataNode, DateRange, InsightInterval, Number, SchemaModel
from queries.schema.insight_filters import (
    BreakdownFilter,
    CalendarHeatmapFilter,
    CompareFilter,
    FunnelsFilter,
    LifecycleFilter,
    PathsFilter,
    RetentionFilter,
    StickinessFilter,
    TrendsFilter,
)
from queries.schema.properties import InsightProperties
from queries.schema.series import (
    FunnelsSeriesNode,
    LifecycleSeriesNode,
    SimpleEntityNode,
    TrendsSeriesNode,
)


class ActionConversionGoal(SchemaModel):
    actionId: int


class CustomEventConversionGoal(SchemaModel):
    customEventName: str


ConversionGoal = ActionConversionGoal | CustomEventConversionGoal


class InsightsQueryBase(DataNode):
    """Fields shared by every insight (`InsightsQueryBase`), except the group aggregation Stickiness lacks."""

    dateRange: DateRange | None = None
    filterTestAccounts: bool | None = False
    properties: InsightProperties | None = Field(default_factory=list)
    samplingFactor: Number | None = None
    dataColorTheme: Number | None = None


class TrendsQuery(InsightsQueryBase):
    kind: Literal["TrendsQuery"] = "TrendsQuery"
    series: list[TrendsSeriesNode]
    interval: InsightInterval | None = "day"
    aggregation_group_type_index: int | None = None
    trendsFilter: TrendsFilter | None = None
    breakdownFilter: BreakdownFilter | None = None
    compareFilter: CompareFilter | None = None
    conversionGoal: ConversionGoal | None = None
    calendarHeatmapFilter: CalendarHeatmapFilter | None = None


class FunnelsQuery(InsightsQueryBase):
    kind: Literal["FunnelsQuery"] = "FunnelsQuery"
    series: list[FunnelsSeriesNode]
    interval: InsightInterval | None = None
    aggregation_group_type_index: int | None = None
    funnelsFilter: FunnelsFilter | None = None
    breakdownFilter: BreakdownFilter | None = None
    compareFilter: CompareFilter | None = None


class RetentionQuery(InsightsQueryBase):
    kind: Literal["RetentionQuery"] = "RetentionQuery"
    retentionFilter: RetentionFilter
    aggregation_group_type_index: int | None = None
    breakdownFilter: BreakdownFilter | None = None


class FunnelPathsFilter(SchemaModel):
    funnelPathType: Literal["funnel_path_before_step", "funnel_path_between_steps", "funnel_path_after_step"] | None = (
        None
    )
    funnelSource: FunnelsQuery
    funnelStep: int | None = None


class PathsQuery(InsightsQueryBase):
    kind: Literal["PathsQuery"] = "PathsQuery"
    pathsFilter: PathsFilter
    funnelPathsFilter: FunnelPathsFilter | None = None
    aggregation_group_type_index: int | None = None


class StickinessQuery(InsightsQueryBase):
    """No `aggregation_group_type_index`: stickiness always counts persons."""

    kind: Literal["StickinessQuery"] = "StickinessQuery"
    series: list[SimpleEntityNode]
    interval: InsightInterval | None = "day"
    intervalCount: int | None = None
    stickinessFilter: StickinessFilter | None = None
    compareFilter: CompareFilter | None = None


class LifecycleQuery(InsightsQueryBase):
    kind: Literal["LifecycleQuery"] = "LifecycleQuery"
    series: list[LifecycleSeriesNode]
    interval: InsightInterval | None = "day"
    aggregation_group_type_index: int | None = None
    lifecycleFilter: LifecycleFilter | None = None
    customAggregationTarget: bool | None = None


class CalendarHeatmapQuery(InsightsQueryBase):
    kind: Literal["CalendarHeatmapQuery"] = "CalendarHeatmapQuery"
    series: list[SimpleEntityNode]
    interval: InsightInterval | None = "day"
    aggregation_group_type_index: int | None = None
    calendarHeatmapFilter: CalendarHeatmapFilter | None = None
    conversionGoal: ConversionGoal | None = None


# What an InsightVizNode (and an InsightActorsQuery) may wrap.
InsightQuery = Annotated[
    TrendsQuery | FunnelsQuery | RetentionQuery | PathsQuery | StickinessQuery | LifecycleQuery,
    Field(discriminator="kind"),
]

__all__ = [
    "ActionConversionGoal",
    "CalendarHeatmapQuery",
    "ConversionGoal",
    "CustomEventConversionGoal",
    "FunnelPathsFilter",
    "FunnelsQuery",
    "InsightQuery",
    "InsightsQueryBase",
    "LifecycleQuery",
    "PathsQuery",
    "RetentionQuery",
    "StickinessQuery",
    "TrendsQuery",
]
