"""Reading definitions: the filters and orderings of the list endpoints (spec §2.4, §2.5)."""

import logging

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.fields import BooleanField
from django.db.models.functions import TruncDate

from definitions.models import EventProperty, PropertyDefinition
from definitions.taxonomy import (
    CORE_EVENT_PROPERTIES,
    HIDDEN_EVENT_PROPERTIES,
    HIDDEN_EVENT_PROPERTY_PREFIX,
    VIRTUAL_PROPERTIES,
    names_with_matching_label,
    virtual_property,
)

logger = logging.getLogger(__name__)

NOT_NUMERICAL_NAMES = ("distinct_id", "timestamp")


def search_words(search: str | None) -> list[str]:
    return [word.lower() for word in (search or "").split()]


def name_matches_all(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(name__icontains=word)
    return condition


def event_definitions_filter(queryset: QuerySet, params: dict, orderings: list[str]) -> QuerySet:
    """Event definitions matching `search` (every word), `event_type`, `excluded_properties` and `exclude_hidden`,
    ordered by the allowed `orderings` (ascending with nulls first, descending with nulls last)."""
    words = search_words(params.get("search"))
    if words:
        queryset = queryset.filter(name_matches_all(words))
    if params["event_type"] == "event_custom":
        queryset = queryset.exclude(name__startswith="$")
    elif params["event_type"] == "event_posthog":
        queryset = queryset.filter(name__startswith="$")
    if params["excluded_properties"]:
        queryset = queryset.exclude(name__in=params["excluded_properties"])
    if params["exclude_hidden"]:
        queryset = queryset.exclude(hidden=True)
    queryset = queryset.annotate(last_seen_date=TruncDate("last_seen_at"))
    columns = {"name": "name", "last_seen_at": "last_seen_at", "last_seen_at::date": "last_seen_date"}
    order = []
    for ordering in orderings:
        column = F(columns[ordering.lstrip("-")])
        order.append(column.desc(nulls_last=True) if ordering.startswith("-") else column.asc(nulls_first=True))
    return queryset.order_by(*order, "id")


def property_definitions_filter(queryset: QuerySet, params: dict) -> QuerySet:
    """Property definitions of one `type` matching the list filters, seen-on-`event_names` first, then by name."""
    kind = params["type_value"]
    queryset = queryset.filter(type=kind)
    if kind == PropertyDefinition.Type.GROUP:
        queryset = queryset.filter(group_type_index=params["group_type_index"])
    words = search_words(params.get("search"))
    if words:
        condition = name_matches_all(words)
        labelled = names_with_matching_label(words)
        if labelled:
            condition |= Q(name__in=labelled)
        if kind == PropertyDefinition.Type.PERSON and any(word in "latest" for word in words):
            condition |= ~Q(name__icontains="initial")
        queryset = queryset.filter(condition)
    if params["properties"]:
        queryset = queryset.filter(name__in=params["properties"])
    if params["is_numerical"]:
        queryset = queryset.filter(is_numerical=True).exclude(name__in=NOT_NUMERICAL_NAMES)
    if params["is_feature_flag"] is not None:
        flags = Q(name__startswith="$feature/")
        queryset = queryset.filter(flags if params["is_feature_flag"] else ~flags)
    if params["excluded_properties"]:
        queryset = queryset.exclude(name__in=params["excluded_properties"])
    if params["exclude_hidden"]:
        queryset = queryset.exclude(hidden=True)
    if kind == PropertyDefinition.Type.EVENT:
        queryset = queryset.exclude(name__in=HIDDEN_EVENT_PROPERTIES).exclude(
            name__startswith=HIDDEN_EVENT_PROPERTY_PREFIX
        )
        if params["exclude_core_properties"]:
            queryset = queryset.exclude(name__startswith="$").exclude(name__in=CORE_EVENT_PROPERTIES)
    event_names = params["event_names"]
    if event_names:
        seen = EventProperty.objects.filter(
            project_id=OuterRef("project_id"), property=OuterRef("name"), event__in=event_names
        )
        queryset = queryset.annotate(is_seen_on_filtered_events=Exists(seen))
        if params["filter_by_event_names"]:
            queryset = queryset.filter(is_seen_on_filtered_events=True)
        return queryset.order_by(F("is_seen_on_filtered_events").desc(), F("verified").desc(nulls_last=True), "name")
    queryset = queryset.annotate(is_seen_on_filtered_events=Value(None, output_field=BooleanField(null=True)))
    return queryset.order_by(F("verified").desc(nulls_last=True), "name", "id")


def virtual_properties(params: dict) -> list[dict]:
    """The built-in virtual properties of person and group lists, with the list's filters applied in Python."""
    if params["type"] not in ("person", "group"):
        return []
    words = search_words(params.get("search"))
    items = []
    for name, property_type in VIRTUAL_PROPERTIES:
        item = virtual_property(name, property_type)
        if words and not all(word in name.lower() for word in words):
            continue
        if params["properties"] and name not in params["properties"]:
            continue
        if params["is_numerical"] is not None and item["is_numerical"] != params["is_numerical"]:
            continue
        if params["is_feature_flag"] is not None and name.startswith("$feature/") != params["is_feature_flag"]:
            continue
        if name in params["excluded_properties"]:
            continue
        items.append(item)
    return items


def seen_together(queryset: QuerySet, event_names: list[str], property_name: str) -> dict[str, bool]:
    """For each event name, whether `property_name` was seen on it (queryset: the project's EventProperty rows)."""
    seen = set(queryset.filter(event__in=event_names, property=property_name).values_list("event", flat=True))
    return {name: name in seen for name in event_names}


TYPED_PROPERTY_TYPES = ("Numeric", "DateTime", "Boolean")
# Queries read the typed definitions on every run: kept in the shared cache, dropped whenever a type may change.
TYPED_DEFINITIONS_CACHE_SECONDS = 300


def typed_definitions_cache_key(project_id: int) -> str:
    return f"definitions_typed_{project_id}"


def typed_property_definitions(project_id: int) -> dict[tuple[int, str], str]:
    """(definition type, name) -> Numeric | DateTime | Boolean for the project's event and person properties.

    From the shared cache when there (no SQL), else one query. String, Duration and untyped definitions are
    left out: they read as text, as properties without a definition do.
    """
    key = typed_definitions_cache_key(project_id)
    try:
        cached = cache.get(key)
    except Exception as error:  # an unreachable cache is a miss: the query still runs
        logger.warning("typed_definitions_cache_read_failed project_id=%s error=%s", project_id, error)
        cached = None
    if cached is not None:
        return cached
    rows = PropertyDefinition.objects.filter(
        project_id=project_id,
        type__in=(PropertyDefinition.Type.EVENT, PropertyDefinition.Type.PERSON),
        group_type_index__isnull=True,
        property_type__in=TYPED_PROPERTY_TYPES,
    ).values_list("type", "name", "property_type")
    types = {(kind, name): property_type for kind, name, property_type in rows if property_type is not None}
    try:
        cache.set(key, types, TYPED_DEFINITIONS_CACHE_SECONDS)
    except Exception as error:
        logger.warning("typed_definitions_cache_write_failed project_id=%s error=%s", project_id, error)
    return types


def forget_typed_definitions(project_id: int) -> None:
    try:
        cache.delete(typed_definitions_cache_key(project_id))
    except Exception as error:  # entries expire anyway (TYPED_DEFINITIONS_CACHE_SECONDS)
        logger.warning("typed_definitions_cache_delete_failed project_id=%s error=%s", project_id, error)
