"""HogQL and Hog nodes: HogQLQuery with its filters and variables, HogQuery and DatabaseSchemaQuery (spec §1.11)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from queries.schema.base import DataNode, DateRange, IntervalType, SchemaModel
from queries.schema.insight_filters import BreakdownFilter
from queries.schema.properties import AnyPropertyFilter


class HogQLFilters(SchemaModel):
    """What `{filters}` in a HogQL query expands to."""

    properties: list[AnyPropertyFilter] | None = None
    dateRange: DateRange | None = None
    filterTestAccounts: bool | None = None
    interval: IntervalType | None = None
    breakdownFilter: BreakdownFilter | None = None


class HogQLVariable(SchemaModel):
    variableId: str
    code_name: str
    value: Any | None = None
    isNull: bool | None = None


class HogQLQuery(DataNode):
    kind: Literal["HogQLQuery"] = "HogQLQuery"
    query: str
    filters: HogQLFilters | None = None
    values: dict[str, Any] | None = Field(default=None, description="Constants for {placeholder} substitution.")
    variables: dict[str, HogQLVariable] | None = None
    explain: bool | None = None
    name: str | None = Field(default=None, description="Client provided name of the query")
    connectionId: str | None = None
    sendRawQuery: bool | None = None


class HogQuery(DataNode):
    """A Hog program, compiled to bytecode and run in the VM."""

    kind: Literal["HogQuery"] = "HogQuery"
    code: str | None = None


class DatabaseSchemaQuery(DataNode):
    kind: Literal["DatabaseSchemaQuery"] = "DatabaseSchemaQuery"


HogLanguage = Literal["hog", "hogJson", "hogQL", "hogQLExpr", "hogTemplate", "liquid"]

__all__ = [
    "DatabaseSchemaQuery",
    "HogLanguage",
    "HogQLFilters",
    "HogQLQuery",
    "HogQLVariable",
    "HogQuery",
]
