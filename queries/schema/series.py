"""Entity (series) nodes: events, actions, data warehouse tables, groups of them, and funnel exclusions (spec §1.2)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from queries.schema.base import BaseNode, FilterLogicalOperator, Number, SchemaModel
from queries.schema.properties import AnyPropertyFilter

# The union of BaseMathType, PropertyMathType, CountPerActorMathType, GroupMathType, HogQLMathType, FunnelMathType,
# CalendarHeatmapMathType and ExperimentMetricMathType, as one flat Literal so that a bad value gives one error.
MathType = Literal[
    "total",
    "dau",
    "weekly_active",
    "monthly_active",
    "unique_session",
    "first_time_for_user",
    "first_matching_event_for_user",
    "avg",
    "sum",
    "min",
    "max",
    "median",
    "p75",
    "p90",
    "p95",
    "p99",
    "avg_count_per_actor",
    "min_count_per_actor",
    "max_count_per_actor",
    "median_count_per_actor",
    "p75_count_per_actor",
    "p90_count_per_actor",
    "p95_count_per_actor",
    "p99_count_per_actor",
    "unique_group",
    "hogql",
    "first_time_for_user_with_filters",
]

MathGroupTypeIndex = Literal[0, 1, 2, 3, 4]


class RevenueCurrencyPropertyConfig(SchemaModel):
    """Where a revenue math property's currency comes from: an event property or a fixed ISO 4217 code."""

    property: str | None = None
    static: str | None = None


class EntityNode(BaseNode):
    """Fields every series node shares."""

    custom_name: str | None = None
    name: str | None = None
    math: MathType | None = None
    math_multiplier: Number | None = None
    math_property: str | None = None
    math_property_type: str | None = None
    math_property_revenue_currency: RevenueCurrencyPropertyConfig | None = None
    math_hogql: str | None = None
    math_group_type_index: MathGroupTypeIndex | None = None
    properties: list[AnyPropertyFilter] | None = None
    fixedProperties: list[AnyPropertyFilter] | None = None
    optionalInFunnel: bool | None = None
    response: dict[str, Any] | None = None


class EventsNode(EntityNode):
    """One event (or all events when `event` is null)."""

    kind: Literal["EventsNode"] = "EventsNode"
    event: str | None = None
    limit: int | None = None
    orderBy: list[str] | None = None


class ActionsNode(EntityNode):
    kind: Literal["ActionsNode"] = "ActionsNode"
    id: int


class DataWarehouseNode(EntityNode):
    """A data warehouse table used as a series; its label is `table_name`."""

    kind: Literal["DataWarehouseNode"] = "DataWarehouseNode"
    id: str
    table_name: str
    id_field: str
    timestamp_field: str
    distinct_id_field: str
    dw_source_type: str | None = None


class FunnelsDataWarehouseNode(DataWarehouseNode):
    aggregation_target_field: str | None = None


class LifecycleDataWarehouseNode(DataWarehouseNode):
    aggregation_target_field: str | None = None
    created_at_field: str | None = None


SimpleEntityNode = Annotated[EventsNode | ActionsNode | DataWarehouseNode, Field(discriminator="kind")]


class GroupNode(EntityNode):
    """Several entities combined with AND/OR into one series."""

    kind: Literal["GroupNode"] = "GroupNode"
    operator: FilterLogicalOperator
    nodes: list[SimpleEntityNode]
    limit: int | None = None
    orderBy: list[str] | None = None


class FunnelExclusionSteps(SchemaModel):
    funnelFromStep: int
    funnelToStep: int


class FunnelExclusionEventsNode(EventsNode):
    funnelFromStep: int
    funnelToStep: int


class FunnelExclusionActionsNode(ActionsNode):
    funnelFromStep: int
    funnelToStep: int


FunnelExclusion = Annotated[FunnelExclusionEventsNode | FunnelExclusionActionsNode, Field(discriminator="kind")]

TrendsSeriesNode = Annotated[
    GroupNode | EventsNode | ActionsNode | DataWarehouseNode,
    Field(discriminator="kind"),
]
FunnelsSeriesNode = Annotated[
    GroupNode | EventsNode | ActionsNode | FunnelsDataWarehouseNode,
    Field(discriminator="kind"),
]
LifecycleSeriesNode = Annotated[
    EventsNode | ActionsNode | LifecycleDataWarehouseNode,
    Field(discriminator="kind"),
]


class RetentionEntity(SchemaModel):
    """The cohorting or returning entity of a retention insight; default `{id: "$pageview", type: "events"}`."""

    id: str | int | float | None = None
    type: Literal["actions", "events", "data_warehouse", "new_entity", "groups"] | None = None
    kind: Literal["ActionsNode", "EventsNode"] | None = None
    name: str | None = None
    custom_name: str | None = None
    order: int | None = None
    uuid: str | None = None
    properties: list[AnyPropertyFilter] | None = None


__all__ = [
    "ActionsNode",
    "DataWarehouseNode",
    "EntityNode",
    "EventsNode",
    "FunnelExclusion",
    "FunnelExclusionActionsNode",
    "FunnelExclusionEventsNode",
    "FunnelExclusionSteps",
    "FunnelsDataWarehouseNode",
    "FunnelsSeriesNode",
    "GroupNode",
    "LifecycleDataWarehouseNode",
    "LifecycleSeriesNode",
    "MathGroupTypeIndex",
    "MathType",
    "RetentionEntity",
    "RevenueCurrencyPropertyConfig",
    "SimpleEntityNode",
    "TrendsSeriesNode",
]
