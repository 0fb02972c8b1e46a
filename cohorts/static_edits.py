"""Validating the bodies of the static member edits (spec actors-cohorts §3.2): which persons, or a 400/404."""

from uuid import UUID

from rest_framework.exceptions import NotFound, ValidationError

from cohorts.models import CohortPeople
from persons.models import Person

MAX_PERSONS = 1000


def persons_to_add(cohort, data) -> list[Person]:
    if not cohort.is_static:
        raise ValidationError("Can only add users to static cohorts")
    person_ids = data.get("person_ids") if hasattr(data, "get") else None
    if not isinstance(person_ids, list):
        raise ValidationError("person_ids must be a list")
    if not person_ids:
        raise ValidationError("person_ids cannot be empty")
    if len(person_ids) > MAX_PERSONS:
        raise ValidationError("List size exceeds limit")
    uuids = []
    for value in person_ids:
        try:
            uuids.append(UUID(str(value)))
        except ValueError:
            continue
    persons = list(Person.objects.filter(team__project_id=cohort.team.project_id, uuid__in=uuids))
    if not persons:
        raise ValidationError("No valid users to add to cohort")
    return persons


def person_to_remove(cohort, data) -> Person:
    if not cohort.is_static:
        raise ValidationError("Can only remove users from static cohorts")
    person_id = data.get("person_id") if hasattr(data, "get") else None
    if person_id is None:
        raise ValidationError("person_id is required")
    if not isinstance(person_id, str):
        raise ValidationError("person_id must be a string")
    try:
        uuid = UUID(person_id)
    except ValueError:
        raise ValidationError("person_id must be a valid UUID") from None
    person = Person.objects.filter(team__project_id=cohort.team.project_id, uuid=uuid).first()
    if person is None:
        raise NotFound("Person with this UUID does not exist in the cohort's team")
    if not CohortPeople.objects.filter(cohort=cohort, person=person).exists():
        raise NotFound("Person is not part of the cohort")
    return person
