"""Recording that a user viewed insights: one upserted row per (team, user, insight) (spec §2.2, §7.8)."""

from django.utils import timezone

from insights.models import Insight, InsightViewed


def insight_viewed_record(team, user, insight_ids) -> int:
    """Set `last_viewed_at = now` for the user's views of the given insights in `team`.

    Ids that are not live insights of the team's project are dropped silently. One SELECT and one bulk upsert
    (INSERT ... ON CONFLICT (team, user, insight) DO UPDATE). Returns the number of views recorded.
    """
    ids = list(
        Insight.objects.filter(id__in=list(insight_ids), team__project_id=team.project_id).values_list("id", flat=True)
    )
    if not ids:
        return 0
    now = timezone.now()
    InsightViewed.objects.bulk_create(
        [InsightViewed(team=team, user=user, insight_id=insight_id, last_viewed_at=now) for insight_id in ids],
        update_conflicts=True,
        unique_fields=["team", "user", "insight"],
        update_fields=["last_viewed_at"],
    )
    return len(ids)
