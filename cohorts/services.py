"""Writing cohorts: create, update, soft delete, static members (CSV, person ids, a query) and calculations, each
with its activity entry (spec actors-cohorts §3.2, §3.3, §3.5)."""

import logging

from django.db import transaction
from django.utils import timezone

from activity.changes import changes_between
from activity.services import log_activity
from cohorts.engine import engine
from cohorts.models import Cohort, CohortCalculationHistory, CohortPeople
from insights_server.errors import DomainError
from persons.models import Person

logger = logging.getLogger(__name__)
SCOPE = "Cohort"
EDITABLE = ("name", "description", "groups", "filters", "query", "is_static", "cohort_type", "deleted")
SNAPSHOT_FIELDS = ("name", "description", "groups", "filters", "query", "is_static", "deleted")


def _snapshot(cohort: Cohort) -> dict:
    return {name: getattr(cohort, name) for name in SNAPSHOT_FIELDS}


def _log(cohort: Cohort, user, activity: str, changes: list | None = None, **extra) -> None:
    log_activity(
        team_id=cohort.team_id,
        organization_id=cohort.team.organization_id,
        user=user,
        item_id=cohort.id,
        scope=SCOPE,
        activity=activity,
        detail={"name": cohort.name, "changes": changes, "trigger": None, "type": None, "short_id": None, **extra},
    )


def cohort_enqueue_calculation(cohort: Cohort) -> None:
    """Asks for a new calculation of a dynamic cohort: `pending_version + 1`, `is_calculating`, then the engine runs
    it (in place when embedded, in a Celery worker once the transaction commits otherwise; spec §3.5)."""
    Cohort.objects.filter(pk=cohort.pk).update(pending_version=(cohort.pending_version or 0) + 1, is_calculating=True)
    cohort.refresh_from_db(fields=["pending_version", "is_calculating"])
    engine().enqueue(cohort.pk, cohort.pending_version or 0)
    cohort.refresh_from_db()


def cohort_create(*, team, user, data: dict, person_ids=None, csv_persons=None) -> Cohort:
    """Creates a cohort from validated data. Dynamic: enqueues its calculation; static: adds the persons given
    (CSV, person ids) or those of its `query`. Logs `created`."""
    fields = {name: data[name] for name in EDITABLE if name in data}
    cohort = Cohort.objects.create(team=team, created_by=user, **fields)
    if cohort.is_static:
        _fill_static(cohort, csv_persons, person_ids)
    else:
        cohort_enqueue_calculation(cohort)
    _log(cohort, user, "created", changes=None)
    return cohort


def _fill_static(cohort: Cohort, csv_persons: list[Person] | None, person_ids: list | None) -> None:
    persons: list[Person] = list(csv_persons or [])
    if person_ids:
        persons += list(Person.objects.filter(team__project_id=cohort.team.project_id, uuid__in=person_ids))
    if cohort.query and not persons and csv_persons is None:
        ids = engine().query_person_ids(cohort.team, cohort.query)
        persons = list(Person.objects.filter(team__project_id=cohort.team.project_id, uuid__in=ids))
    cohort_add_persons(cohort, persons)


def cohort_update(*, cohort: Cohort, user, data: dict, csv_persons=None) -> Cohort:
    """Applies validated changes; a dynamic cohort is recalculated unless only `deleted` changed; a static one gets
    the CSV's persons. Logs `updated` with the field changes."""
    before = _snapshot(cohort)
    for name in EDITABLE:
        if name in data:
            setattr(cohort, name, data[name])
    cohort.save()
    deletion_only = set(data) <= {"deleted"} or cohort.deleted
    if cohort.is_static:
        if csv_persons is not None:
            cohort_add_persons(cohort, csv_persons)
        elif "query" in data and cohort.query:
            _fill_static(cohort, None, None)
    elif not deletion_only:
        cohort_enqueue_calculation(cohort)
    _log(cohort, user, "updated", changes=changes_between(SCOPE, before, _snapshot(cohort)))
    return cohort


def cohort_add_persons(cohort: Cohort, persons: list[Person], user=None, log: bool = False) -> int:
    """Adds persons to a static cohort (members already in it are skipped); updates `count`. Returns how many were
    new."""
    existing = set(CohortPeople.objects.filter(cohort=cohort).values_list("person_id", flat=True))
    new = [person for person in {p.pk: p for p in persons}.values() if person.pk not in existing]
    CohortPeople.objects.bulk_create([CohortPeople(cohort=cohort, person=p) for p in new], ignore_conflicts=True)
    if new:
        engine().add_static_members(cohort.team_id, cohort.pk, [p.uuid for p in new])
    cohort.count = CohortPeople.objects.filter(cohort=cohort).count()
    cohort.is_calculating = False
    cohort.last_calculation = timezone.now()
    cohort.errors_calculating = 0
    cohort.save(update_fields=["count", "is_calculating", "last_calculation", "errors_calculating"])
    if log and new:
        _log(cohort, user, "persons_added_manually", changes=None, person_ids=[str(p.uuid) for p in new])
    return len(new)


STATIC_SOURCE = "Cannot duplicate a static cohort as a static cohort."
DUPLICATE_LIMIT = 1_000_000


def cohort_duplicate_as_static(cohort: Cohort, user) -> Cohort:
    """A static copy `"<name> (static copy)"` of a dynamic cohort's current members. Raises DomainError (400) for a
    static source."""
    if cohort.is_static:
        raise DomainError(STATIC_SOURCE)
    copy = Cohort.objects.create(
        team=cohort.team, created_by=user, name=f"{cohort.name} (static copy)", description=cohort.description,
        is_static=True,
    )  # fmt: skip
    ids = engine().member_ids(cohort, DUPLICATE_LIMIT, 0)
    cohort_add_persons(copy, list(Person.objects.filter(team__project_id=cohort.team.project_id, uuid__in=ids)))
    _log(copy, user, "created", changes=None)
    return copy


def cohort_remove_person(cohort: Cohort, person: Person, user=None) -> None:
    CohortPeople.objects.filter(cohort=cohort, person=person).delete()
    engine().remove_static_member(cohort.team_id, cohort.pk, person.uuid)
    cohort.count = CohortPeople.objects.filter(cohort=cohort).count()
    cohort.save(update_fields=["count"])
    _log(cohort, user, "person_removed_manually", changes=None, person_id=str(person.uuid))


def cohort_calculation_started(cohort: Cohort, filters: dict | None) -> CohortCalculationHistory:
    """The history row of a calculation that starts now with these filters (finished by `cohort_record_calculation`)."""
    return CohortCalculationHistory.objects.create(team_id=cohort.team_id, cohort=cohort, filters=filters)


def cohort_record_calculation(
    cohort_id: int,
    version: int,
    count: int | None,
    error: str | None,
    history: CohortCalculationHistory | None = None,
    queries: list[dict] | None = None,
    history_error: str | None = None,
) -> None:
    """The outcome of a calculation at `version` (spec §3.5 steps 5-7): counts and versions only move forward; the
    history row gets its finish time, count, statements and error (`history_error` when only the history has one,
    as PostHog's "Cohort has no properties defined")."""
    if history is not None:
        history.finished_at = timezone.now()
        history.count = count
        history.queries = queries or None
        history.error = error or history_error
        history.save(update_fields=["finished_at", "count", "queries", "error"])
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort_id)
        now = timezone.now()
        if error is None:
            if cohort.version is None or cohort.version < version:
                cohort.version = version
                cohort.count = count
            cohort.last_calculation = now
            cohort.errors_calculating = 0
            cohort.last_error_at = None
            cohort.last_error = None
        else:
            cohort.errors_calculating += 1
            cohort.last_error_at = now
            cohort.last_error = error
        if cohort.pending_version is None or cohort.pending_version <= version:
            cohort.is_calculating = False
        cohort.save()
