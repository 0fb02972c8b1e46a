"""`expr IN COHORT <id | 'name'>` (spec actors-cohorts §3.6): which cohort the argument names, inside the query's
project only, and the guarded subquery of its current members (static rows, or the dynamic cohort's version)."""

from cohorts.models import Cohort
from insights_server.models import Team
from queries.hogql.errors import QueryError

CONSTANT_ONLY = "IN COHORT only works with constant arguments"
BAD_ARGUMENT = "cohort() takes exactly one string or integer argument"


def find_cohort(team_id: int, argument) -> Cohort:
    """The project's non-deleted cohort with this id (int) or name (str). Raises QueryError otherwise: another
    project's cohort is as unknown as a missing one."""
    project_id = Team.objects.filter(pk=team_id).values_list("project_id", flat=True).first()
    if project_id is None:
        raise QueryError(f"Could not find cohort with ID {argument}")
    cohorts = Cohort.objects.filter(team__project_id=project_id, deleted=False)
    if isinstance(argument, bool) or not isinstance(argument, int | float | str):
        raise QueryError(BAD_ARGUMENT)
    if isinstance(argument, str):
        found = list(cohorts.filter(name=argument)[:2])
        if not found:
            raise QueryError(f"Could not find a cohort with the name '{argument}'")
        if len(found) > 1:
            raise QueryError(f"Found multiple cohorts with name '{argument}'")
        return found[0]
    cohort = cohorts.filter(pk=int(argument)).first()
    if cohort is None:
        raise QueryError(f"Could not find cohort with ID {int(argument)}")
    return cohort


def membership_sql(cohort: Cohort) -> str:
    """The members' person ids, guarded by the cohort's team; every value is an integer we hold."""
    team_id, cohort_id = int(cohort.team_id), int(cohort.pk)
    if cohort.is_static:
        return (
            f"SELECT person_id FROM person_static_cohort "
            f"WHERE and(equals(team_id, {team_id}), equals(cohort_id, {cohort_id}))"
        )
    if cohort.version is not None:
        return (
            f"SELECT person_id FROM cohortpeople WHERE and(equals(team_id, {team_id}), "
            f"equals(cohort_id, {cohort_id}), equals(version, {int(cohort.version)}))"
        )
    return (
        f"SELECT person_id FROM cohortpeople WHERE and(equals(team_id, {team_id}), equals(cohort_id, {cohort_id})) "
        "GROUP BY person_id, cohort_id, version HAVING greater(sum(sign), 0)"
    )


ALL_COHORTS = "all"


def cohort_references(value, *more) -> set[int] | str:
    """The cohort ids a query names (cohort filters, cohort breakdowns), or ALL_COHORTS when HogQL text mentions
    cohorts (its `IN COHORT` arguments are not worth parsing here)."""
    found: set[int] = set()
    for item in (value, *more):
        if isinstance(item, dict):
            if item.get("type") == "cohort" and str(item.get("value", "")).isdigit():
                found.add(int(item["value"]))
            if item.get("breakdown_type") == "cohort":
                breakdown = item.get("breakdown")
                values = breakdown if isinstance(breakdown, list) else [breakdown]
                found |= {int(v) for v in values if str(v).isdigit()}
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        elif isinstance(item, str) and "cohort" in item.lower() and " " in item:
            return ALL_COHORTS
        else:
            continue
        for child in children:
            child_found = cohort_references(child)
            if isinstance(child_found, str):
                return ALL_COHORTS
            found |= child_found
    return found


def cohort_versions(team, ids) -> dict[str, list]:
    """{id: [static, version, deleted, count]} of the project's cohorts among `ids` (or all of them), for cache keys."""
    rows = Cohort.objects.filter(team__project_id=team.project_id)
    if ids != ALL_COHORTS:
        rows = rows.filter(pk__in=ids)
    # A static cohort has no versions: its member count tells an addition apart.
    columns = ("pk", "is_static", "version", "deleted", "count")
    return {str(row[0]): list(row[1:]) for row in rows.values_list(*columns)}
