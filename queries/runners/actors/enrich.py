"""The actor dicts of a page of actor ids, read from Postgres (spec actors-cohorts §1.7)."""

from collections import defaultdict
from uuid import UUID

from persons.models import Person, PersonDistinctId

DEFAULT_NAME_PROPERTIES = ("email", "name", "username")


def _uuid(value) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def person_dicts(team, ids: list) -> dict[str, dict]:
    """{str(uuid): {id, properties, is_identified, created_at, distinct_ids}} of the project's persons among ids."""
    uuids = {u for u in (_uuid(i) for i in ids) if u is not None}
    if not uuids:
        return {}
    persons = list(Person.objects.filter(team__project_id=team.project_id, uuid__in=uuids))
    distinct_ids: dict[UUID, list[str]] = defaultdict(list)
    rows = PersonDistinctId.objects.filter(team__project_id=team.project_id, person_id__in=uuids)
    for distinct_id, person_uuid in rows.order_by("id").values_list("distinct_id", "person_id"):
        distinct_ids[person_uuid].append(distinct_id)
    return {
        str(person.uuid): {
            "id": str(person.uuid),
            "created_at": person.created_at.isoformat(),
            "properties": person.properties,
            "is_identified": person.is_identified,
            "distinct_ids": distinct_ids.get(person.uuid, []),
        }
        for person in persons
    }


def display_name(actor: dict, name_properties) -> str:
    properties = actor.get("properties") or {}
    for key in name_properties or DEFAULT_NAME_PROPERTIES:
        if properties.get(key):
            return str(properties[key])
    distinct_ids = actor.get("distinct_ids") or []
    return distinct_ids[0] if distinct_ids else str(actor.get("id"))
