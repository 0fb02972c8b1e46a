"""Breakdown, compare and the per-insight filter objects (trendsFilter, funnelsFilter, retentionFilter, ...)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from queries.schema.base import (
    ChartDisplayType,
    GoalLine,
    Number,
    ResultCustomization,
    ResultCustomizationBy,
    SchemaModel,
)
from queries.schema.series import FunnelExclusion, RetentionEntity

BreakdownType = Literal[
    "cohort",
    "person",
    "event",
    "event_metadata",
    "group",
    "session",
    "hogql",
    "data_warehouse",
    "data_warehouse_person_property",
    "revenue_analytics",
]
MultipleBreakdownType = BreakdownType


class Breakdown(SchemaModel):
    """One entry of `breakdowns` (multiple breakdowns)."""

    property: str | int
    type: MultipleBreakdownType | None = None
    normalize_url: bool | None = None
    group_type_index: int | None = None
    histogram_bin_count: int | None = None


class BreakdownFilter(SchemaModel):
    breakdown: str | int | list[str | int] | None = None
    breakdown_type: BreakdownType | None = "event"
    breakdowns: list[Breakdown] | None = Field(default=None, max_length=3)
    breakdown_limit: int | None = None
    breakdown_normalize_url: bool | None = None
    breakdown_path_cleaning: bool | None = None
    breakdown_histogram_bin_count: int | None = None
    breakdown_group_type_index: int | None = None
    breakdown_hide_other_aggregation: bool | None = None


class CompareFilter(SchemaModel):
    compare: bool | None = False
    compare_to: str | None = Field(default=None, description="A relative offset such as -1y, -14d or -30h.")


class TrendsFormulaNode(SchemaModel):
    formula: str
    custom_name: str | None = None


AggregationAxisFormat = Literal[
    "numeric", "duration", "duration_ms", "percentage", "percentage_scaled", "currency", "short"
]


class TrendsFilter(SchemaModel):
    display: ChartDisplayType | None = "ActionsLineGraph"
    smoothingIntervals: int | None = 1
    formula: str | None = None
    formulas: list[str] | None = None
    formulaNodes: list[TrendsFormulaNode] | None = None
    showLegend: bool | None = False
    legendPosition: str | None = None
    showValuesOnSeries: bool | None = False
    showLabelsOnSeries: bool | None = None
    showPercentStackView: bool | None = False
    stackBreakdownValues: bool | None = None
    yAxisScaleType: Literal["log10", "linear"] | None = "linear"
    showMultipleYAxes: bool | None = False
    hiddenLegendIndexes: list[int] | None = None
    aggregationAxisFormat: AggregationAxisFormat | None = "numeric"
    aggregationAxisPrefix: str | None = None
    aggregationAxisPostfix: str | None = None
    decimalPlaces: Number | None = None
    minDecimalPlaces: Number | None = None
    xAxisLabel: str | None = None
    yAxisLabel: str | None = None
    breakdown_histogram_bin_count: Number | None = None
    resultCustomizationBy: ResultCustomizationBy | None = "value"
    resultCustomizations: dict[str, ResultCustomization] | None = None
    goalLines: list[GoalLine] | None = None
    showConfidenceIntervals: bool | None = None
    confidenceLevel: Number | None = None
    showTrendLines: bool | None = None
    showMovingAverage: bool | None = None
    movingAverageIntervals: Number | None = None
    detailedResultsAggregationType: Literal["total", "average", "median"] | None = None
    excludeBoxPlotOutliers: bool | None = None
    hideWeekends: bool | None = False
    showAnnotations: bool | None = None
    showAlertThresholdLines: bool | None = False


class CalendarHeatmapFilter(SchemaModel):
    dummy: str | None = None


class FunnelsFilter(SchemaModel):
    funnelVizType: Literal["steps", "time_to_convert", "trends", "flow"] | None = "steps"
    funnelOrderType: Literal["strict", "unordered", "ordered"] | None = "ordered"
    funnelWindowInterval: int | None = 14
    funnelWindowIntervalUnit: Literal["second", "minute", "hour", "day", "week", "month"] | None = "day"
    breakdownAttributionType: Literal["first_touch", "last_touch", "all_events", "step"] | None = "first_touch"
    breakdownAttributionValue: int | None = None
    breakdownSorting: str | None = None
    funnelStepReference: Literal["total", "previous"] | None = "total"
    exclusions: list[FunnelExclusion] | None = Field(default_factory=list)
    funnelFromStep: int | None = None
    funnelToStep: int | None = None
    binCount: int | None = None
    funnelAggregateByHogQL: str | None = None
    customAggregationTarget: bool | None = None
    layout: Literal["vertical", "horizontal"] | None = "vertical"
    hiddenLegendBreakdowns: list[str] | None = None
    useUdf: bool | None = None
    resultCustomizations: dict[str, ResultCustomization] | None = None
    goalLines: list[GoalLine] | None = None
    showTrendLines: bool | None = None
    showLegend: bool | None = None
    legendPosition: str | None = None
    showValuesOnSeries: bool | None = False
    showAnnotations: bool | None = None
    hideIncompleteConversionWindowPeriods: bool | None = None


class RetentionFilter(SchemaModel):
    retentionType: Literal["retention_recurring", "retention_first_time", "retention_first_ever_occurrence"] | None = (
        None
    )
    retentionReference: Literal["total", "previous"] | None = None
    totalIntervals: int | None = 8
    period: Literal["Hour", "Day", "Week", "Month"] | None = "Day"
    targetEntity: RetentionEntity | None = None
    returningEntity: RetentionEntity | None = None
    minimumOccurrences: int | None = None
    cumulative: bool | None = None
    timeWindowMode: Literal["strict_calendar_dates", "24_hour_windows"] | None = None
    retentionCustomBrackets: list[Number] | None = None
    aggregationType: Literal["count", "sum", "avg"] | None = "count"
    aggregationProperty: str | None = None
    aggregationPropertyType: Literal["event", "person", "data_warehouse"] | None = "event"
    meanRetentionCalculation: Literal["simple", "weighted", "none"] | None = None
    display: ChartDisplayType | None = None
    dashboardDisplay: Literal["table_only", "graph_only", "all"] | None = None
    showTrendLines: bool | None = None
    selectedInterval: int | None = None
    goalLines: list[GoalLine] | None = None
    cohortLabelStartIndex: int | None = None
    customAggregationTarget: bool | None = None


class PathCleaningFilter(SchemaModel):
    regex: str | None = None
    alias: str | None = None
    order: Number | None = None


PathType = Literal["$pageview", "$screen", "custom_event", "hogql"]


class PathsFilter(SchemaModel):
    includeEventTypes: list[PathType] | None = None
    pathsHogQLExpression: str | None = None
    startPoint: str | None = None
    endPoint: str | None = None
    stepLimit: int | None = 5
    edgeLimit: int | None = 50
    excludeEvents: list[str] | None = None
    pathGroupings: list[str] | None = None
    pathReplacements: bool | None = None
    localPathCleaningFilters: list[PathCleaningFilter] | None = None
    minEdgeWeight: int | None = None
    maxEdgeWeight: int | None = None
    showFullUrls: bool | None = None
    # Only meaningful inside an actors query.
    pathStartKey: str | None = None
    pathEndKey: str | None = None
    pathDropoffKey: str | None = None


class StickinessCriteria(SchemaModel):
    operator: Literal["gte", "lte", "exact"]
    value: int


class StickinessFilter(SchemaModel):
    display: ChartDisplayType | None = None
    showLegend: bool | None = None
    legendPosition: str | None = None
    showValuesOnSeries: bool | None = None
    showMultipleYAxes: bool | None = None
    hiddenLegendIndexes: list[int] | None = None
    resultCustomizationBy: ResultCustomizationBy | None = "value"
    resultCustomizations: dict[str, ResultCustomization] | None = None
    stickinessCriteria: StickinessCriteria | None = None
    computedAs: Literal["non_cumulative", "cumulative"] | None = None


LifecycleToggle = Literal["new", "resurrecting", "returning", "dormant"]


class LifecycleFilter(SchemaModel):
    toggledLifecycles: list[LifecycleToggle] | None = None
    showValuesOnSeries: bool | None = None
    showPercentagesOnSeries: bool | None = None
    showLegend: bool | None = False
    legendPosition: str | None = None
    stacked: bool | None = True


__all__ = [
    "AggregationAxisFormat",
    "Breakdown",
    "BreakdownFilter",
    "BreakdownType",
    "CalendarHeatmapFilter",
    "CompareFilter",
    "FunnelsFilter",
    "LifecycleFilter",
    "LifecycleToggle",
    "MultipleBreakdownType",
    "PathCleaningFilter",
    "PathType",
    "PathsFilter",
    "RetentionFilter",
    "StickinessCriteria",
    "StickinessFilter",
    "TrendsFilter",
    "TrendsFormulaNode",
]
