"""The property types a query prints with (spec exports-definitions-limits §2.3): read from the project's
definitions once per run, and the part of them a query's text can reach, for its cache key."""

import orjson

from definitions.models import PropertyDefinition
from definitions.selectors import typed_property_definitions
from queries.hogql.property_types import PropertyTypes

KINDS: dict[int, str] = {PropertyDefinition.Type.EVENT.value: "event", PropertyDefinition.Type.PERSON.value: "person"}


def project_property_types(team) -> PropertyTypes:
    """(kind, name) -> Numeric | DateTime | Boolean for the team's project (from the shared cache when there).

    A team object without a project (a test double printing SQL) has no definitions.
    """
    project_id = getattr(team, "project_id", None)
    if project_id is None:
        return {}
    return {(KINDS[kind], name): value for (kind, name), value in typed_property_definitions(project_id).items()}


def property_types_in(types: PropertyTypes, text: str) -> dict[str, str]:
    """The types of the properties whose names occur in the query's JSON text (`kind:name` -> type), for the cache
    key.

    A name that occurs anywhere (a filter key, a math property, a breakdown, HogQL text) counts: a superset of
    what the query reads, so a retyped property always changes the key of a query that reads it, while the
    key of a query that reads no typed property stays what it was before definitions existed.
    """
    if not types:
        return {}
    return {
        f"{kind}:{name}": property_type
        for (kind, name), property_type in sorted(types.items())
        if orjson.dumps(name).decode()[1:-1] in text
    }
