"""The demo dashboard `make serve` creates: one insight of each kind over the demo data, so a new user sees
real charts in the first minute (idempotent: an existing demo dashboard is kept)."""

from dashboards.membership import stacked_layout
from dashboards.models import Dashboard, DashboardTile
from insights.models import Insight

DEMO_DASHBOARD_NAME = "Demo: every kind of insight"
LAST_30_DAYS = {"date_from": "-30d"}


def _viz(source: dict) -> dict:
    return {"kind": "InsightVizNode", "source": source}


def _events(*names: str, math: str = "total") -> list[dict]:
    return [{"kind": "EventsNode", "event": name, "name": name, "math": math} for name in names]


DEMO_INSIGHTS: list[tuple[str, dict]] = [
    ("Daily pageviews", _viz({"kind": "TrendsQuery", "series": _events("$pageview"), "dateRange": LAST_30_DAYS})),
    (
        "Pageviews by browser",
        _viz(
            {
                "kind": "TrendsQuery",
                "series": _events("$pageview"),
                "dateRange": LAST_30_DAYS,
                "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
                "trendsFilter": {"display": "ActionsBar"},
            }
        ),
    ),
    (
        "Weekly active users",
        _viz(
            {
                "kind": "TrendsQuery",
                "series": _events("$pageview", math="dau"),
                "dateRange": {"date_from": "-90d"},
                "interval": "week",
                "trendsFilter": {"display": "ActionsAreaGraph"},
            }
        ),
    ),
    (
        "Signups this month",
        _viz(
            {
                "kind": "TrendsQuery",
                "series": _events("signed_up"),
                "dateRange": LAST_30_DAYS,
                "compareFilter": {"compare": True},
                "trendsFilter": {"display": "BoldNumber"},
            }
        ),
    ),
    (
        "Events by type",
        _viz(
            {
                "kind": "TrendsQuery",
                "series": _events("$pageview", "$autocapture", "dashboard_viewed", "insight_created"),
                "dateRange": LAST_30_DAYS,
                "trendsFilter": {"display": "ActionsPie"},
            }
        ),
    ),
    (
        "Signup to purchase funnel",
        _viz(
            {
                "kind": "FunnelsQuery",
                "series": _events("signed_up", "onboarding_completed", "purchase"),
                "dateRange": {"date_from": "-90d"},
                "funnelsFilter": {"funnelWindowInterval": 14, "funnelWindowIntervalUnit": "day"},
            }
        ),
    ),
    (
        "Weekly retention",
        _viz(
            {
                "kind": "RetentionQuery",
                "dateRange": {"date_from": "-56d"},
                "retentionFilter": {"period": "Week", "totalIntervals": 8, "retentionType": "retention_first_time"},
            }
        ),
    ),
    (
        "Lifecycle of active users",
        _viz(
            {
                "kind": "LifecycleQuery",
                "series": _events("$pageview"),
                "dateRange": LAST_30_DAYS,
                "interval": "week",
            }
        ),
    ),
    ("Stickiness", _viz({"kind": "StickinessQuery", "series": _events("$pageview"), "dateRange": LAST_30_DAYS})),
    (
        "User paths",
        _viz({"kind": "PathsQuery", "dateRange": LAST_30_DAYS, "pathsFilter": {"includeEventTypes": ["$pageview"]}}),
    ),
    (
        "Top pages (SQL)",
        {
            "kind": "DataVisualizationNode",
            "source": {
                "kind": "HogQLQuery",
                "query": "select properties.$pathname as page, count() as views from events "
                "where event = '$pageview' and timestamp > now() - interval 30 day "
                "group by page order by views desc limit 10",
            },
        },
    ),
]


def demo_dashboard_create(team, user) -> Dashboard:
    """The demo dashboard of the team with its insights (created once; later calls return it unchanged)."""
    existing = Dashboard.objects.filter(team=team, name=DEMO_DASHBOARD_NAME).first()
    if existing is not None:
        return existing
    dashboard = Dashboard.objects.create(team=team, name=DEMO_DASHBOARD_NAME, created_by=user, pinned=True)
    for index, (name, query) in enumerate(DEMO_INSIGHTS):
        insight = Insight.objects.create(team=team, name=name, query=query, saved=True, created_by=user)
        DashboardTile.objects.create(dashboard=dashboard, insight=insight, layouts=stacked_layout(index))
    return dashboard
