"""Reading cohorts: which of them depend on behaviour (for `hide_behavioral_cohorts`), their calculation history."""

from cohorts.filters import effective_filters, has_behavioral, referenced_ids
from cohorts.models import Cohort, CohortCalculationHistory


def cohort_calculation_history(cohort: Cohort, limit: int, offset: int) -> tuple[list[CohortCalculationHistory], int]:
    """A page of the cohort's calculations, newest first, and how many there are."""
    rows = CohortCalculationHistory.objects.filter(cohort=cohort, team_id=cohort.team_id)
    return list(rows.order_by("-started_at", "-id")[offset : offset + limit]), rows.count()


def behavioral_cohort_ids(queryset) -> list[int]:
    """Cohorts with a behavioural filter, and (transitively) those that reference one."""
    cohorts = list(queryset.model.objects.filter(team__project_id__in=queryset.values("team__project_id")))
    trees = {c.pk: effective_filters(c) for c in cohorts}
    flagged = {pk for pk, tree in trees.items() if has_behavioral(tree)}
    changed = True
    while changed:
        changed = False
        for pk, tree in trees.items():
            if pk not in flagged and any(ref in flagged for ref in referenced_ids(tree)):
                flagged.add(pk)
                changed = True
    return list(flagged)
