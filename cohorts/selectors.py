"""Reading cohorts: which of them depend on behaviour (for `hide_behavioral_cohorts`)."""

from cohorts.filters import effective_filters, has_behavioral, referenced_ids


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
