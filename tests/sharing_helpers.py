"""Helpers for sharing tests: an insight and a dashboard to share, and the sharing URLs."""

from dashboards.models import Dashboard, DashboardTile
from insights.models import Insight

TRENDS = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "total"}],
        "dateRange": {"date_from": "2024-03-01", "date_to": "2024-03-03"},
        "interval": "day",
    },
}


def make_insight(team, name="Pageviews", query=None, **fields) -> Insight:
    return Insight.objects.create(team=team, name=name, query=query or TRENDS, saved=True, **fields)


def make_dashboard(team, *insights, name="Growth") -> Dashboard:
    dashboard = Dashboard.objects.create(team=team, name=name)
    for index, insight in enumerate(insights):
        DashboardTile.objects.create(
            dashboard=dashboard, insight=insight, layouts={"sm": {"x": 0, "y": index * 5, "w": 6, "h": 5}}
        )
    return dashboard


def sharing_url(team_id: int, resource, suffix: str = "") -> str:
    kind = "dashboards" if isinstance(resource, Dashboard) else "insights"
    return f"/api/projects/{team_id}/{kind}/{resource.id}/sharing/{suffix}"


def enable(client, team_id: int, resource, **body) -> dict:
    response = client.patch(sharing_url(team_id, resource), {"enabled": True, **body}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()
