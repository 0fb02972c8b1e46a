"""Tags of insights and dashboards: normalisation, setting, orphan cleanup, bulk updates (spec §2.4, §3.9, §7.1)."""

from typing import Any, Protocol

from django.db import transaction

from insights.dashboard_hooks import dashboard_hooks
from insights.models import Insight, Tag, TaggedItem

BULK_MAX_IDS = 500
BULK_MAX_TAGS = 100
BULK_MAX_TAG_LENGTH = 255
BULK_MAX_CHANGES = 10000
BULK_ACTIONS = ("add", "remove", "set")

SKIPPED_REASON = "Not found or no edit access"


def tagify(name: str) -> str:
    """A tag name as stored: trimmed and lowercase."""
    return str(name).strip().lower()


def normalise_tags(names) -> list[str]:
    """Tagified names in first-seen order, blanks dropped, duplicates removed."""
    seen: dict[str, None] = {}
    for name in names or []:
        tag = tagify(name)
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


class Tagged(Protocol):
    """An insight or a dashboard (both carry `tagged_items`)."""

    @property
    def tagged_items(self) -> Any: ...


def tags_of(tagged: Tagged) -> list[str]:
    """The tag names of an insight or dashboard in insertion order; uses a `tagged_items__tag` prefetch if present."""
    items = sorted(tagged.tagged_items.all(), key=lambda item: item.id)
    return [item.tag.name for item in items]


def delete_orphan_tags(team_id: int) -> None:
    """Remove the team's tags that no object carries any more."""
    Tag.objects.filter(team_id=team_id, tagged_items__isnull=True).delete()


def object_set_tags(tagged, names, field: str) -> list[str]:
    """Make the tags of `tagged` (an insight or a dashboard; `field` names its TaggedItem column) exactly `names`.

    Names are normalised and deduplicated. Tags already present keep their position; new ones are appended in
    the given order; missing ones are unlinked and tags left without any object are deleted from the team.
    Returns the resulting tag names.
    """
    wanted = normalise_tags(names)
    with transaction.atomic():
        items = TaggedItem.objects.filter(**{field: tagged}).select_related("tag")
        current = {item.tag.name: item for item in items}
        removed = [item.id for name, item in current.items() if name not in wanted]
        if removed:
            TaggedItem.objects.filter(id__in=removed).delete()
        for name in wanted:
            if name not in current:
                tag, _ = Tag.objects.get_or_create(team_id=tagged.team_id, name=name)
                TaggedItem.objects.get_or_create(tag=tag, **{field: tagged})
        if removed:
            delete_orphan_tags(tagged.team_id)
    getattr(tagged, "_prefetched_objects_cache", {}).pop("tagged_items", None)
    return list(TaggedItem.objects.filter(**{field: tagged}).order_by("id").values_list("tag__name", flat=True))


def insight_set_tags(insight: Insight, names) -> list[str]:
    """Make the insight's tags exactly `names` (see object_set_tags)."""
    return object_set_tags(insight, names, "insight")


def tags_of_from_db(insight: Insight) -> list[str]:
    return list(TaggedItem.objects.filter(insight=insight).order_by("id").values_list("tag__name", flat=True))


def bulk_update_tags(queryset, user, ids: list[int], action: str, tags: list[str]) -> dict:
    """Add, remove or set tags on many insights of `queryset` at once (spec §7.1).

    Takes the input validated by BulkUpdateTagsInputSerializer (ids deduplicated, tags normalised). Skips ids
    that are not in the queryset or not editable by `user`, writes one `updated` activity entry with a `tags`
    change per changed insight, and cleans orphan tags. Returns `{"updated": [{id, tags}], "skipped": [{id, reason}]}`.
    """
    from activity.services import log_activity

    found = {
        insight.id: insight
        for insight in queryset.filter(id__in=ids)
        .select_related("team")
        .prefetch_related("tagged_items__tag", *dashboard_hooks().render_prefetches())
    }
    updated, skipped = [], []
    team_ids = set()
    for insight_id in ids:
        insight = found.get(insight_id)
        # An insight sitting only on restricted dashboards the user cannot edit is view-only for them.
        if insight is None or not dashboard_hooks().can_edit(user, insight):
            skipped.append({"id": insight_id, "reason": SKIPPED_REASON})
            continue
        before = tags_of(insight)
        if action == "add":
            after = before + [tag for tag in tags if tag not in before]
        elif action == "remove":
            after = [tag for tag in before if tag not in tags]
        else:
            after = tags
        if after != before:
            after = insight_set_tags(insight, after)
            team_ids.add(insight.team_id)
            if sorted(after) != sorted(before) and (insight.name or insight.derived_name):
                log_activity(
                    team_id=insight.team_id,
                    organization_id=insight.team.organization_id,
                    user=user,
                    item_id=insight.id,
                    scope="Insight",
                    activity="updated",
                    detail={
                        "name": insight.name or insight.derived_name,
                        "short_id": insight.short_id,
                        "changes": [
                            {
                                "type": "Insight",
                                "action": "changed",
                                "field": "tags",
                                "before": sorted(before),
                                "after": sorted(after),
                            }
                        ],
                    },
                )
        updated.append({"id": insight.id, "tags": sorted(after)})
    for team_id in team_ids:
        delete_orphan_tags(team_id)
    return {"updated": updated, "skipped": skipped}
