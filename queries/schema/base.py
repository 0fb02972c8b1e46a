"""Base classes, shared scalar types, date ranges, query-log tags and HogQL modifiers for the query schema."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

# JSON numbers: `int` first so that integers survive a round trip as integers (5, not 5.0).
Number = int | float

IntervalType = Literal["second", "minute", "hour", "day", "week", "month"]
# Insights bucket by minute through month; `second` exists only for lower-level queries.
InsightInterval = Literal["minute", "hour", "day", "week", "month"]
FilterLogicalOperator = Literal["AND", "OR"]

ChartDisplayType = Literal[
    "Auto",
    "ActionsLineGraph",
    "ActionsBar",
    "ActionsUnstackedBar",
    "ActionsStackedBar",
    "ActionsAreaGraph",
    "ActionsLineGraphCumulative",
    "BoldNumber",
    "ActionsPie",
    "ActionsBarValue",
    "ActionsTable",
    "WorldMap",
    "CalendarHeatmap",
    "TwoDimensionalHeatmap",
    "BoxPlot",
]

# Discriminator-like fields that must always be serialised, even when a node was built in code without them.
_ALWAYS_DUMPED_FIELDS = ("kind", "type")


@cache
def _constant_fields(model: type[BaseModel]) -> tuple[str, ...]:
    names = []
    for name in _ALWAYS_DUMPED_FIELDS:
        field = model.model_fields.get(name)
        if field is None or get_origin(field.annotation) is not Literal:
            continue
        if len(get_args(field.annotation)) == 1 and field.default == get_args(field.annotation)[0]:
            names.append(name)
    return tuple(names)


class SchemaModel(BaseModel):
    """Every schema object: unknown keys are an error, as in PostHog's generated schema."""

    model_config = ConfigDict(extra="forbid")

    def model_post_init(self, context: Any, /) -> None:
        # `query_to_dict` dumps only the fields that were set; a constant `kind`/`type` always counts as set.
        constants = _constant_fields(type(self))
        if constants:
            self.__pydantic_fields_set__.update(constants)


class BaseNode(SchemaModel):
    """Any query node: carries the schema `version` used for migrations."""

    version: int | None = None


class QueryLogTags(SchemaModel):
    """Free-form labels written to the query log; never part of the cache key."""

    name: str | None = None
    productKey: str | None = None
    scene: str | None = None


class CustomChannelCondition(SchemaModel):
    id: str
    key: Literal["utm_source", "utm_medium", "utm_campaign", "referring_domain", "url", "pathname", "hostname"]
    op: Literal["exact", "is_not", "is_set", "is_not_set", "icontains", "not_icontains", "regex", "not_regex"]
    value: str | list[str] | None = None


class CustomChannelRule(SchemaModel):
    channel_type: str
    combiner: FilterLogicalOperator
    id: str
    items: list[CustomChannelCondition]


class DataWarehouseEventsModifier(SchemaModel):
    distinct_id_field: str
    id_field: str
    table_name: str
    timestamp_field: str


class HogQLQueryModifiers(SchemaModel):
    """Per-query overrides of the project's HogQL settings (spec §4.7); every key is optional."""

    bounceRateDurationSeconds: Number | None = None
    bounceRatePageViewMode: Literal["count_pageviews", "uniq_urls", "uniq_page_screen_autocaptures"] | None = None
    convertToProjectTimezone: bool | None = None
    customChannelTypeRules: list[CustomChannelRule] | None = None
    dataWarehouseEventsModifiers: list[DataWarehouseEventsModifier] | None = None
    debug: bool | None = None
    forceClickhouseDataSkippingIndexes: list[str] | None = None
    formatCsvAllowDoubleQuotes: bool | None = None
    inCohortVia: Literal["auto", "leftjoin", "subquery", "leftjoin_conjoined"] | None = None
    inlineCohortCalculation: Literal["off", "auto", "always"] | None = None
    materializationMode: Literal["auto", "legacy_null_as_string", "legacy_null_as_null", "disabled"] | None = None
    materializedColumnsOptimizationMode: Literal["disabled", "optimized"] | None = None
    optimizeJoinedFilters: bool | None = None
    optimizeProjections: bool | None = None
    # The spec names `cpp_only` and `rust_py_with_cpp_shadow` as examples only, so any string is accepted.
    parserMode: str | None = None
    personsArgMaxVersion: Literal["auto", "v1", "v2"] | None = None
    personsJoinMode: Literal["inner", "left"] | None = None
    personsOnEventsMode: (
        Literal[
            "disabled",
            "person_id_no_override_properties_on_events",
            "person_id_override_properties_on_events",
            "person_id_override_properties_joined",
        ]
        | None
    ) = None
    propertyGroupsMode: Literal["enabled", "disabled", "optimized"] | None = None
    s3TableUseInvalidColumns: bool | None = None
    sessionTableVersion: Literal["auto", "v1", "v2", "v3"] | None = None
    sessionsV2JoinMode: Literal["string", "uuid"] | None = None
    timings: bool | None = None
    useMaterializedViews: bool | None = None
    usePreaggregatedIntermediateResults: bool | None = None
    usePreaggregatedTableTransforms: bool | None = None
    usePresortedEventsTable: bool | None = None
    useWebAnalyticsPreAggregatedTables: bool | None = None


class DataNode(BaseNode):
    """A node that runs on its own: it may carry modifiers, log tags and (ignored) a cached `response`."""

    modifiers: HogQLQueryModifiers | None = None
    tags: QueryLogTags | None = None
    # The frontend may echo a previous response back; PostHog accepts it and so do we, without validating it.
    response: dict[str, Any] | None = None


class DateRange(SchemaModel):
    date_from: str | None = None
    date_to: str | None = None
    explicitDate: bool | None = Field(
        default=False, description="Use date_from/date_to verbatim instead of rounding to period boundaries."
    )


class GoalLine(SchemaModel):
    label: str
    value: Number
    borderColor: str | None = None
    displayIfCrossed: bool | None = None
    displayLabel: bool | None = None
    position: Literal["start", "end"] | None = None


DataColorToken = Literal[
    "preset-1",
    "preset-2",
    "preset-3",
    "preset-4",
    "preset-5",
    "preset-6",
    "preset-7",
    "preset-8",
    "preset-9",
    "preset-10",
    "preset-11",
    "preset-12",
    "preset-13",
    "preset-14",
    "preset-15",
]


class ResultCustomization(SchemaModel):
    """Colour/visibility of one result dataset, keyed by value or by position."""

    assignmentBy: Literal["value", "position"] | None = None
    color: DataColorToken | None = None
    hidden: bool | None = None


ResultCustomizationBy = Literal["value", "position"]

__all__ = [
    "BaseNode",
    "ChartDisplayType",
    "CustomChannelCondition",
    "CustomChannelRule",
    "DataColorToken",
    "DataNode",
    "DataWarehouseEventsModifier",
    "DateRange",
    "FilterLogicalOperator",
    "GoalLine",
    "HogQLQueryModifiers",
    "InsightInterval",
    "IntervalType",
    "Number",
    "QueryLogTags",
    "ResultCustomization",
    "ResultCustomizationBy",
    "SchemaModel",
]
