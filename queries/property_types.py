"""The property types a query prints with (spec exports-definitions-limits §2.3): read from the project's
definitions once per run, and the part of them a query's text can reach, for its cache key."""

import json

from definitions.models import PropertyDefinition
from queries.hogql.property_types import TYPED, PropertyTypes

KINDS = {PropertyDefinition.Type.EVENT: "event", PropertyDefinition.Type.PERSON: "person"}


def project_property_types(project_id: int) -> PropertyTypes:
    """(kind, name) -> Numeric | DateTime | Boolean for the project's event and person definitions.

    One query; only typed rows (String, Duration and untyped definitions read as text, as without a definition).
    """
    rows = PropertyDefinition.objects.filter(
        project_id=project_id, type__in=list(KINDS), group_type_index__isnull=True, property_type__in=TYPED
    ).values_list("type", "name", "property_type")
    return {(KINDS[kind], name): property_type for kind, name, property_type in rows}


def property_types_in(types: PropertyTypes, query: dict) -> dict[str, str]:
    """The types of the properties whose names occur in the query's JSON (`kind:name` -> type), for the cache key.

    A name that occurs anywhere (a filter key, a math property, a breakdown, HogQL text) counts: a superset of
    what the query reads, so a retyped property always changes the key of a query that reads it, while the
    key of a query that reads no typed property stays what it was before definitions existed.
    """
    if not types:
        return {}
    text = json.dumps(query, ensure_ascii=False)
    return {
        f"{kind}:{name}": property_type
        for (kind, name), property_type in sorted(types.items())
        if json.dumps(name, ensure_ascii=False)[1:-1] in text
    }
