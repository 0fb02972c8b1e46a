"""Parse query JSON into schema nodes, turn pydantic errors into one `QueryValidationError`, and dump nodes back."""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Tag, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from insights_server.errors import DomainError
from queries.schema.request import QueryRequest, QuerySchema

_QUERY_ADAPTER: TypeAdapter[Any] = TypeAdapter(QuerySchema)

# The field pydantic discriminates on -> the noun used in "Unknown query kind 'Foo'".
_DISCRIMINATOR_NOUNS = {"kind": "query kind", "type": "property filter type"}
_PRIMITIVE_LABELS = {"str", "int", "float", "bool", "none", "dict", "list"}


class QueryValidationError(DomainError, ValueError):
    """A query that does not match the schema: `detail` says why, `attr` where (`series__0__math`), or None."""

    def __init__(self, detail: str, attr: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.attr = attr


def parse_query(data: dict) -> QuerySchema:
    """Validate one query node (any `QuerySchema` kind).

    Returns the pydantic node. Raises QueryValidationError built from the first validation error.
    """
    try:
        return _QUERY_ADAPTER.validate_python(with_default_filter_types(data))
    except ValidationError as exc:
        raise _to_query_error(exc, QuerySchema) from None


def parse_query_request(data: dict) -> QueryRequest:
    """Validate a `/query/` request body. Raises QueryValidationError built from the first validation error."""
    try:
        return QueryRequest.model_validate(with_default_filter_types(data))
    except ValidationError as exc:
        raise _to_query_error(exc, QueryRequest) from None


PROPERTY_LIST_KEYS = frozenset({"properties", "fixedProperties", "values"})


def with_default_filter_types(value: Any) -> Any:
    """A copy of the query JSON in which property filters without a `type` are event filters, as PostHog reads
    them (its filter parser defaults the type to "event"). Only dicts with a `key` in property lists change."""
    if isinstance(value, dict):
        return {
            key: _filters_with_type(item)
            if key in PROPERTY_LIST_KEYS and isinstance(item, list)
            else with_default_filter_types(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [with_default_filter_types(item) for item in value]
    return value


def _filters_with_type(items: list) -> list:
    return [
        {**item, "type": "event"}
        if isinstance(item, dict) and "key" in item and item.get("type") is None
        else with_default_filter_types(item)
        for item in items
    ]


def query_to_dict(node: BaseModel) -> dict:
    """The JSON-ready dict of a node: only the keys that were given (explicit nulls kept), under their JSON names.

    Dumping only the set fields, not "everything but None", is what makes parse -> dump return the input exactly:
    schema defaults (`interval: "day"`, `filterTestAccounts: false`, ...) are not added and `date_to: null` stays.
    """
    return node.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _to_query_error(exc: ValidationError, root: Any) -> QueryValidationError:
    error = exc.errors(include_url=False)[0]
    path = _field_path(error["loc"], root)
    return QueryValidationError(_detail(error), "__".join(str(part) for part in path) or None)


def _detail(error: ErrorDetails) -> str:
    context = error.get("ctx") or {}
    noun = _DISCRIMINATOR_NOUNS.get(str(context.get("discriminator", "")).strip("'"))
    if noun and error["type"] == "union_tag_invalid":
        return f"Unknown {noun} {context['tag']!r}"
    if noun and error["type"] == "union_tag_not_found":
        return f"Missing {noun}"
    return error["msg"]


def _field_path(loc: tuple, annotation: Any) -> list[str | int]:
    """The JSON path of an error: pydantic's location without the segments that only name a union member.

    Walks the schema types alongside the location. At a union, pydantic adds a segment naming the member it tried
    (a discriminator tag such as `TrendsQuery`, a `Tag`, or a type label such as `list[...]`); that segment is
    dropped and the walk continues inside that member. Where the type is unknown, segments are kept unless they
    look like a type label.
    """
    path: list[str | int] = []
    current: Any = annotation
    for segment in loc:
        current = _unwrap(current)
        members = _union_members(current)
        origin = get_origin(current)
        if members is not None:
            current = _pick_member(members, segment)
        elif isinstance(current, type) and issubclass(current, BaseModel):
            path.append(segment)
            current = _field_annotation(current, segment)
        elif origin in (list, tuple, set, frozenset):
            path.append(segment)
            current = get_args(current)[0] if get_args(current) else None
        elif origin is dict:
            if segment != "[key]":
                path.append(segment)
            current = get_args(current)[1] if segment != "[key]" and get_args(current) else None
        else:
            # Unknown, a scalar or a Literal: the rest of the location describes the value, not a field.
            current = None
            if not _looks_like_label(segment):
                path.append(segment)
    return path


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional so that what remains is a model, a container, a real union or a scalar."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        members = _raw_union_members(annotation)
        if members is not None:
            non_null = [member for member in members if member is not type(None)]
            if len(non_null) == 1:
                annotation = non_null[0]
                continue
        return annotation


def _raw_union_members(annotation: Any) -> tuple | None:
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return None


def _union_members(annotation: Any) -> list | None:
    members = _raw_union_members(annotation)
    if members is None:
        return None
    return [member for member in members if member is not type(None)]


def _pick_member(members: list, segment: Any) -> Any:
    """The union member a location segment names, or None when it cannot be told."""
    for member in members:
        if _member_tag(member) == segment:
            return member
    for member in members:
        target = _unwrap(member)
        if isinstance(target, type) and issubclass(target, BaseModel):
            if segment == target.__name__ or segment in _discriminator_values(target):
                return member
            continue
        label = getattr(target, "__name__", None)
        if label is not None and label == segment:
            return member
        origin = get_origin(target)
        if origin is not None and isinstance(segment, str) and segment.startswith(f"{origin.__name__}["):
            return member
    return None


def _member_tag(member: Any) -> str | None:
    if get_origin(member) is Annotated:
        for extra in get_args(member)[1:]:
            if isinstance(extra, Tag):
                return extra.tag
    return None


def _discriminator_values(model: type[BaseModel]) -> set[str]:
    values: set[str] = set()
    for name in ("kind", "type"):
        field = model.model_fields.get(name)
        if field is not None and get_origin(field.annotation) is Literal:
            values.update(str(value) for value in get_args(field.annotation))
    return values


def _field_annotation(model: type[BaseModel], segment: Any) -> Any:
    for name, field in model.model_fields.items():
        if segment in (name, field.alias):
            if field.metadata:
                return Annotated[(field.annotation, *field.metadata)]
            return field.annotation
    return None


def _looks_like_label(segment: Any) -> bool:
    if not isinstance(segment, str):
        return False
    return "[" in segment or segment in _PRIMITIVE_LABELS


__all__ = ["QueryValidationError", "parse_query", "parse_query_request", "query_to_dict"]
