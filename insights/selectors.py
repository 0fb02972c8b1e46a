"""Reading insights: the list filters, search and ordering (spec §4.2-4.5), trending and my last viewed (§7.6-7.7)."""

import json
from datetime import timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from insights.dashboard_hooks import dashboard_hooks
from insights.models import Insight, InsightViewed, TaggedItem
from insights_server.params import is_truthy, json_int_list_param, json_list_param, text_param
from queries.dates import relative_date_parse

MAX_SEARCH_LENGTH = 200
SEARCH_TOO_LONG = f"Search query must be {MAX_SEARCH_LENGTH} characters or fewer."
NAME_SIMILARITY = 0.3
DESCRIPTION_SIMILARITY = 0.4
MY_LAST_VIEWED_LIMIT = 5
TRENDING_VIEWERS = 3
WRAPPER_NODE_KINDS = ("DataTableNode", "DataVisualizationNode", "InsightVizNode")
INSIGHT_TYPE_KINDS = {
    "TRENDS": "TrendsQuery",
    "FUNNELS": "FunnelsQuery",
    "RETENTION": "RetentionQuery",
    "PATHS": "PathsQuery",
    "STICKINESS": "StickinessQuery",
    "LIFECYCLE": "LifecycleQuery",
}
FEATURE_FLAG_INSIGHT_NAMES = (
    "Feature Flag Called Total Volume",
    "Feature Flag calls made by unique users per variant",
)
DATE_FILTERS = {
    "date_from": ("last_modified_at", "gt"),
    "date_to": ("last_modified_at", "lt"),
    "created_date_from": ("created_at", "gt"),
    "created_date_to": ("created_at", "lt"),
    "last_viewed_date_from": ("last_viewed_at", "gt"),
    "last_viewed_date_to": ("last_viewed_at", "lt"),
}
INVALID_ORDER = "Invalid order field: {field}"


def latest_view_subquery() -> Subquery:
    """The latest view of the row's insight by anyone, as a correlated subquery (no join, no row duplication)."""
    views = InsightViewed.objects.filter(insight=OuterRef("pk")).order_by("-last_viewed_at").values("last_viewed_at")
    return Subquery(views[:1])


def _insight_type_filter(kind: str) -> Q:
    legacy = Q(query__isnull=True) & Q(filters__insight=kind)
    if kind == "SQL":
        return Q(query__isnull=False, query__kind__in=WRAPPER_NODE_KINDS, query__source__kind="HogQLQuery")
    if kind == "JSON":
        wrapped_known = Q(query__kind__in=WRAPPER_NODE_KINDS) & Q(
            query__source__kind__in=["HogQLQuery", *INSIGHT_TYPE_KINDS.values()]
        )
        return Q(query__isnull=False) & ~wrapped_known
    if kind in INSIGHT_TYPE_KINDS:
        wrapped = Q(query__isnull=False, query__kind="InsightVizNode", query__source__kind=INSIGHT_TYPE_KINDS[kind])
        return legacy | wrapped
    return legacy


def _events_filter(queryset: QuerySet, events: list) -> QuerySet:
    if events and connection.vendor != "postgresql":
        # SQLite has no JSON containment: look for the quoted name in the array's JSON text instead.
        queryset = queryset.alias(events_text=Cast(KeyTransform("events", "query_metadata"), TextField()))
    for event in events:
        if connection.vendor == "postgresql":
            queryset = queryset.filter(query_metadata__events__contains=[event])
        else:
            queryset = queryset.filter(events_text__contains=json.dumps(event))
    return queryset


def insight_list_filter(queryset: QuerySet, query_params, team, user) -> QuerySet:
    """Apply the list parameters of spec §4.2 to `queryset` (already scoped to the project, not deleted).

    Annotates `last_viewed_at` (latest view by anyone) and, with `search`, `search_match_type`. Orders by the
    `order` param, else by search relevance, else by the `order` column. Raises ValidationError (400) for a search
    term over 200 characters, malformed JSON arrays, unparsable dates and unknown order fields. Adds no per-row
    queries: every filter is a join-free subquery or a column test.
    """
    params = query_params
    queryset = queryset.annotate(last_viewed_at=latest_view_subquery())
    if "short_id" in params:
        queryset = queryset.filter(short_id=text_param(params, "short_id") or "")
    if "saved" in params:
        if is_truthy(params["saved"]):
            # Insights on a listed dashboard count as saved; "unlisted" dashboards are the hidden kind.
            queryset = queryset.filter(Q(saved=True) | dashboard_hooks().on_listed_dashboard())
        else:
            queryset = queryset.filter(saved=False)
    if "user" in params:
        queryset = queryset.filter(created_by=user)
    if "favorited" in params:
        queryset = queryset.filter(favorited=True)
    if is_truthy(params.get("hide_feature_flag_insights", "")):
        queryset = queryset.exclude(name__in=FEATURE_FLAG_INSIGHT_NAMES)
    if flag := text_param(params, "feature_flag"):
        queryset = queryset.filter(
            Q(filters__breakdown__icontains=f"$feature/{flag}")
            | Q(filters__properties__icontains=flag)
            | Q(query__icontains=f"$feature/{flag}")
        )
    created_by = json_int_list_param(params, "created_by")
    if created_by:
        queryset = queryset.filter(created_by_id__in=created_by)
    for dashboard_id in json_int_list_param(params, "dashboards"):
        queryset = queryset.filter(dashboard_hooks().on_dashboard(dashboard_id))
    tags = json_list_param(params, "tags")
    if tags:
        tagged = TaggedItem.objects.filter(insight=OuterRef("pk"), tag__name__in=[str(tag) for tag in tags])
        queryset = queryset.filter(Exists(tagged))
    queryset = _events_filter(queryset, json_list_param(params, "events"))
    for key, (field, lookup) in DATE_FILTERS.items():
        if params.get(key):
            queryset = queryset.filter(**{f"{field}__{lookup}": _parse_date(params[key], team, key)})
    if "insight" in params:
        queryset = queryset.filter(_insight_type_filter(text_param(params, "insight") or ""))
    searching = False
    if "search" in params:
        term = params["search"]
        if len(term) > MAX_SEARCH_LENGTH:
            raise ValidationError({"search": [SEARCH_TOO_LONG]})
        term = term.replace("\x00", "").strip()
        if term:
            queryset = insight_search(queryset, term)
            searching = True
    return _ordered(queryset, params.get("order"), searching)


def _parse_date(value: str, team, key: str):
    try:
        return relative_date_parse(value, team.timezone)
    except (ValueError, OverflowError):
        raise ValidationError({key: [f"Invalid date: {value}"]}) from None


ORDERABLE_ANNOTATIONS = ("last_viewed_at",)


def _ordered(queryset: QuerySet, order: str | None, searching: bool) -> QuerySet:
    if order:
        field = order.removeprefix("-")
        names = {f.name for f in Insight._meta.concrete_fields} | {f.attname for f in Insight._meta.concrete_fields}
        if field not in names and field not in ORDERABLE_ANNOTATIONS:
            raise ValidationError({"order": [INVALID_ORDER.format(field=field)]})
        if field == "last_viewed_at":
            expression = F(field).desc(nulls_last=True) if order.startswith("-") else F(field).asc(nulls_first=True)
            return queryset.order_by(expression, "id")
        return queryset.order_by(order, "id")
    if searching:
        return queryset.order_by("search_rank", F("search_score").desc(), "name", "id")
    return queryset.order_by(F("order").asc(nulls_last=True), "id")


_TRIGRAM_AVAILABLE: dict[str, bool] = {}


def trigram_search_available() -> bool:
    """Whether the database can compute trigram similarity (PostgreSQL with the pg_trgm extension)."""
    if connection.vendor != "postgresql":
        return False
    key = f"{connection.alias}:{connection.settings_dict.get('NAME')}"
    if key not in _TRIGRAM_AVAILABLE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _TRIGRAM_AVAILABLE[key] = cursor.fetchone() is not None
    return _TRIGRAM_AVAILABLE[key]


def insight_search(queryset: QuerySet, term: str) -> QuerySet:
    """Rows matching `term` exactly (substring of name/derived_name/description/a tag) or similarly.

    "similar" is pg_trgm word similarity (> 0.3 on the names, > 0.4 on the description) when the extension is
    installed; elsewhere (SQLite, or no pg_trgm) it is "every word of the term is a substring of one of the
    fields". Annotates `search_match_type` ("exact"/"similar"), `search_rank` (0 exact, 1 similar) and
    `search_score` (the relevance of spec §4.4; 0 without trigrams).
    """
    tag_match = TaggedItem.objects.filter(insight=OuterRef("pk"), tag__name__icontains=term)
    exact = (
        Q(name__icontains=term) | Q(derived_name__icontains=term) | Q(description__icontains=term) | Exists(tag_match)
    )
    if trigram_search_available():
        from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity

        zero = Value(0.0, output_field=FloatField())
        queryset = queryset.annotate(
            name_word_similarity=Coalesce(TrigramWordSimilarity(term, "name"), zero),
            derived_name_word_similarity=Coalesce(TrigramWordSimilarity(term, "derived_name"), zero),
            description_word_similarity=Coalesce(TrigramWordSimilarity(term, "description"), zero),
            name_similarity=Coalesce(TrigramSimilarity("name", term), zero),
        )
        similar = (
            Q(name_word_similarity__gt=NAME_SIMILARITY)
            | Q(derived_name_word_similarity__gt=NAME_SIMILARITY)
            | Q(description_word_similarity__gt=DESCRIPTION_SIMILARITY)
        )
        score: Expression = (
            F("name_word_similarity")
            + F("name_similarity")
            + F("derived_name_word_similarity")
            + Value(0.5) * F("description_word_similarity")
        )
    else:
        similar = Q()
        for word in term.split():
            similar &= Q(name__icontains=word) | Q(derived_name__icontains=word) | Q(description__icontains=word)
        score = Value(0.0, output_field=FloatField())
    is_exact = ExpressionWrapper(exact, output_field=BooleanField())
    return (
        queryset.annotate(search_is_exact=is_exact)
        .filter(Q(search_is_exact=True) | similar)
        .annotate(
            search_match_type=Case(When(search_is_exact=True, then=Value("exact")), default=Value("similar")),
            search_rank=Case(When(search_is_exact=True, then=Value(0)), default=Value(1)),
            search_score=ExpressionWrapper(score, output_field=FloatField()),
        )
    )


def _render_prefetches(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("created_by", "last_modified_by", "team").prefetch_related(
        *dashboard_hooks().render_prefetches(), "tagged_items__tag"
    )


def insights_trending(team, user, days: int, limit: int) -> list[Insight]:
    """The project's most viewed insights over the last `days` days (spec §7.7).

    Ordered by `view_count` (viewers with a view inside the window) desc, then last_modified_at desc; at most
    `limit` rows. Each insight carries `view_count`, `viewers` (up to 3 users, most recent first, inside the
    window) and `last_viewed_at` (latest view by anyone, any time). Two queries plus the render prefetches.
    """
    cutoff = timezone.now() - timedelta(days=days)
    queryset = (
        Insight.objects.filter(team__project_id=team.project_id)
        .annotate(view_count=Count("views", filter=Q(views__last_viewed_at__gte=cutoff)))
        .filter(view_count__gt=0)
        .annotate(last_viewed_at=latest_view_subquery())
        .order_by("-view_count", "-last_modified_at", "id")
    )
    insights = list(_render_prefetches(queryset)[: max(limit, 0)])
    viewers: dict[int, list] = {insight.id: [] for insight in insights}
    recent_views = (
        InsightViewed.objects.filter(
            team=team, insight_id__in=list(viewers), last_viewed_at__gte=cutoff, user__isnull=False
        )
        .select_related("user")
        .order_by("insight_id", "-last_viewed_at")
    )
    for view in recent_views:
        if len(viewers[view.insight_id]) < TRENDING_VIEWERS:
            viewers[view.insight_id].append(view.user)
    for insight in insights:
        insight.viewers = viewers[insight.id]
    return insights


def insights_my_last_viewed(team, user) -> list[Insight]:
    """The user's 5 most recently viewed live insights in `team`, newest first, with their own view time."""
    views = (
        InsightViewed.objects.filter(team=team, user=user, insight__deleted=False)
        .order_by("-last_viewed_at")
        .values_list("insight_id", "last_viewed_at")[:MY_LAST_VIEWED_LIMIT]
    )
    seen = dict(views)
    insights = {insight.id: insight for insight in _render_prefetches(Insight.objects.filter(id__in=list(seen)))}
    ordered = []
    for insight_id, viewed_at in seen.items():
        if insight_id in insights:
            insight = insights[insight_id]
            insight.last_viewed_at = viewed_at
            ordered.append(insight)
    return ordered


def insight_ids_created_by(user, team_ids: list[int]) -> QuerySet:
    """The ids (as text, like ActivityLog.item_id) of insights `user` created in these teams, deleted ones included.

    Registered with activity as the "Insight" scope's created items (InsightsConfig.ready()).
    """
    return (
        Insight.objects_including_soft_deleted.filter(team_id__in=team_ids, created_by=user)
        .annotate(text_id=Cast("id", CharField()))
        .values("text_id")
    )
