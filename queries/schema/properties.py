"""Property filters of every type (spec §1.3), AND/OR property groups and the unions that accept them."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Discriminator, Field, Tag

from queries.schema.base import FilterLogicalOperator, SchemaModel

PropertyOperator = Literal[
    "exact",
    "is_not",
    "icontains",
    "not_icontains",
    "regex",
    "not_regex",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_set",
    "is_not_set",
    "is_date_exact",
    "is_date_before",
    "is_date_after",
    "between",
    "not_between",
    "min",
    "max",
    "in",
    "not_in",
    "is_cleaned_path_exact",
    "flag_evaluates_to",
    "semver_eq",
    "semver_neq",
    "semver_gt",
    "semver_gte",
    "semver_lt",
    "semver_lte",
    "semver_tilde",
    "semver_caret",
    "semver_wildcard",
    "icontains_multi",
    "not_icontains_multi",
]

PropertyScalar = str | int | float | bool
PropertyValue = list[PropertyScalar] | PropertyScalar | None


class _KeyedPropertyFilter(SchemaModel):
    """The common `{key, operator, value, label}` shape; subclasses fix `type`."""

    key: str
    label: str | None = None
    operator: PropertyOperator
    value: PropertyValue = None


class EventPropertyFilter(_KeyedPropertyFilter):
    type: Literal["event"] = "event"
    operator: PropertyOperator | None = "exact"  # type: ignore[assignment]  # pydantic field override: only event filters accept null


class PersonPropertyFilter(_KeyedPropertyFilter):
    type: Literal["person"] = "person"


class ElementPropertyFilter(_KeyedPropertyFilter):
    type: Literal["element"] = "element"
    key: Literal["tag_name", "text", "href", "selector"]


class EventMetadataPropertyFilter(_KeyedPropertyFilter):
    type: Literal["event_metadata"] = "event_metadata"


class SessionPropertyFilter(_KeyedPropertyFilter):
    type: Literal["session"] = "session"


class CohortPropertyFilter(SchemaModel):
    type: Literal["cohort"] = "cohort"
    key: Literal["id"] = "id"
    value: int
    operator: PropertyOperator | None = "in"
    cohort_name: str | None = None
    label: str | None = None


class RecordingPropertyFilter(_KeyedPropertyFilter):
    type: Literal["recording"] = "recording"


class LogEntryPropertyFilter(_KeyedPropertyFilter):
    type: Literal["log_entry"] = "log_entry"


class GroupPropertyFilter(_KeyedPropertyFilter):
    type: Literal["group"] = "group"
    group_type_index: int | None = None


class FeaturePropertyFilter(_KeyedPropertyFilter):
    """An event property with `$feature/` prepended to the key."""

    type: Literal["feature"] = "feature"


class FlagPropertyFilter(SchemaModel):
    """A dependency on another feature flag; `key` is the flag id."""

    type: Literal["flag"] = "flag"
    key: str
    label: str | None = None
    operator: Literal["flag_evaluates_to"] = "flag_evaluates_to"
    value: bool | str


class HogQLPropertyFilter(SchemaModel):
    """`key` holds a HogQL boolean expression; there is no operator."""

    type: Literal["hogql"] = "hogql"
    key: str
    label: str | None = None
    value: PropertyValue = None


class EmptyPropertyFilter(SchemaModel):
    type: Literal["empty"] = "empty"


class DataWarehousePropertyFilter(_KeyedPropertyFilter):
    type: Literal["data_warehouse"] = "data_warehouse"


class DataWarehousePersonPropertyFilter(_KeyedPropertyFilter):
    type: Literal["data_warehouse_person_property"] = "data_warehouse_person_property"


class ErrorTrackingIssueFilter(_KeyedPropertyFilter):
    type: Literal["error_tracking_issue"] = "error_tracking_issue"


class LogPropertyFilter(_KeyedPropertyFilter):
    type: Literal["log", "log_attribute", "log_resource_attribute"]


class RevenueAnalyticsPropertyFilter(_KeyedPropertyFilter):
    type: Literal["revenue_analytics"] = "revenue_analytics"


class MetaPropertyFilter(_KeyedPropertyFilter):
    type: Literal["meta"] = "meta"


class InternalEventPropertyFilter(_KeyedPropertyFilter):
    type: Literal["internal_event"] = "internal_event"


# Every filter kind, discriminated on `type`; groups (type "AND"/"OR") join them in PropertyGroupItem.
# Spelled out as one union so type checkers see a type, not a value.
_PropertyFilterUnion = (
    EventPropertyFilter
    | PersonPropertyFilter
    | ElementPropertyFilter
    | EventMetadataPropertyFilter
    | SessionPropertyFilter
    | CohortPropertyFilter
    | RecordingPropertyFilter
    | LogEntryPropertyFilter
    | GroupPropertyFilter
    | FeaturePropertyFilter
    | FlagPropertyFilter
    | HogQLPropertyFilter
    | EmptyPropertyFilter
    | DataWarehousePropertyFilter
    | DataWarehousePersonPropertyFilter
    | ErrorTrackingIssueFilter
    | LogPropertyFilter
    | RevenueAnalyticsPropertyFilter
    | MetaPropertyFilter
    | InternalEventPropertyFilter
)
PROPERTY_FILTER_TYPES = get_args(_PropertyFilterUnion)
AnyPropertyFilter = Annotated[_PropertyFilterUnion, Field(discriminator="type")]


class PropertyGroupFilterValue(SchemaModel):
    """An AND/OR group whose values are filters or further groups."""

    type: FilterLogicalOperator
    values: list[PropertyGroupItem]


class PropertyGroupFilter(SchemaModel):
    """The top level of a property group: an AND/OR of groups."""

    type: FilterLogicalOperator
    values: list[PropertyGroupFilterValue]


# A group's `type` is "AND"/"OR", so groups and filters share one discriminated union.
PropertyGroupItem = Annotated[PropertyGroupFilterValue | _PropertyFilterUnion, Field(discriminator="type")]

PropertyGroupFilterValue.model_rebuild()


def _list_or_group(value: object) -> str:
    return "list" if isinstance(value, list) else "group"


# Insight-level `properties`: a plain list (meaning AND) or a property group. The callable discriminator keeps
# validation errors to the branch the input actually chose.
InsightProperties = Annotated[
    Annotated[list[AnyPropertyFilter], Tag("list")] | Annotated[PropertyGroupFilter, Tag("group")],
    Discriminator(_list_or_group),
]

ActorsPropertyFilter = Annotated[
    PersonPropertyFilter | CohortPropertyFilter | HogQLPropertyFilter | EmptyPropertyFilter,
    Field(discriminator="type"),
]

ActorsProperties = Annotated[
    Annotated[list[ActorsPropertyFilter], Tag("list")] | Annotated[PropertyGroupFilterValue, Tag("group")],
    Discriminator(_list_or_group),
]

__all__ = [
    "ActorsProperties",
    "ActorsPropertyFilter",
    "AnyPropertyFilter",
    "CohortPropertyFilter",
    "DataWarehousePersonPropertyFilter",
    "DataWarehousePropertyFilter",
    "ElementPropertyFilter",
    "EmptyPropertyFilter",
    "ErrorTrackingIssueFilter",
    "EventMetadataPropertyFilter",
    "EventPropertyFilter",
    "FeaturePropertyFilter",
    "FlagPropertyFilter",
    "GroupPropertyFilter",
    "HogQLPropertyFilter",
    "InsightProperties",
    "InternalEventPropertyFilter",
    "LogEntryPropertyFilter",
    "LogPropertyFilter",
    "MetaPropertyFilter",
    "PersonPropertyFilter",
    "PropertyGroupFilter",
    "PropertyGroupFilterValue",
    "PropertyGroupItem",
    "PropertyOperator",
    "PropertyScalar",
    "PropertyValue",
    "RecordingPropertyFilter",
    "RevenueAnalyticsPropertyFilter",
    "SessionPropertyFilter",
]
