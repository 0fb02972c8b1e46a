"""`/` (the current project's dashboards and saved insights as pictures, or a login form), `/login`, `/logout`,
and `/project/<id>/insights/<id>` and `/project/<id>/dashboards/<id>` detail pages for signed-in members."""

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dashboards.access import project_dashboards
from insights.access import project_insights
from insights_server.access import membership_level
from insights_server.models import Team
from insights_server.params import parse_id
from sharing.tables import result_table
from sharing.viewer import SharedInsight, chart_svg, dashboard_insights, shared_result

HOME_INSIGHTS = 12
LOGIN_FAILED = "Invalid email or password."


def _current_team(request: HttpRequest) -> Team | None:
    user = request.user
    if not user.is_authenticated or user.current_team_id is None:
        return None
    team = Team.objects.select_related("organization").filter(pk=user.current_team_id).first()
    if team is None or membership_level(user, team.organization_id) is None:
        return None
    return team


def _card(shared: SharedInsight, link: str | None, *, detailed: bool = False) -> dict:
    headers, rows = result_table(shared.result) if detailed else ([], [])
    return {
        "shared": shared,
        "show_title": True,
        "svg": chart_svg(shared, width=640, height=340),
        "headers": headers,
        "rows": rows,
        "link": link,
    }


def home(request: HttpRequest) -> HttpResponse:
    team = _current_team(request)
    if team is None:
        return render(request, "web/login.html", {"title": "Sign in", "whitelabel": True})
    dashboards = list(project_dashboards(team).order_by("-pinned", "name")[:20])
    insights = list(project_insights(team).filter(saved=True).order_by("-last_modified_at", "-id")[:HOME_INSIGHTS])
    cards = [
        _card(SharedInsight(insight, shared_result(insight)), f"/project/{team.id}/insights/{insight.id}")
        for insight in insights
    ]
    context = {"title": team.name, "team": team, "dashboards": dashboards, "items": cards, "whitelabel": True}
    return render(request, "web/home.html", context)


@require_http_methods(["POST"])
def login_form(request: HttpRequest) -> HttpResponse:
    user = authenticate(request, email=request.POST.get("email", ""), password=request.POST.get("password", ""))
    if user is None:
        context = {"title": "Sign in", "error": LOGIN_FAILED, "whitelabel": True}
        return render(request, "web/login.html", context, status=401)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect("/")


@require_http_methods(["POST"])
def logout_form(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/")


def _member_team(request: HttpRequest, team_id: str) -> Team | None:
    team = Team.objects.filter(pk=parse_id(team_id) or 0).first()
    if (
        team is None
        or not request.user.is_authenticated
        or membership_level(request.user, team.organization_id) is None
    ):
        return None
    return team


def insight_detail(request: HttpRequest, team_id: str, insight_id: str) -> HttpResponse:
    team = _member_team(request, team_id)
    insight = project_insights(team).filter(pk=parse_id(insight_id) or 0).first() if team else None
    if insight is None:
        return render(request, "sharing/not_found.html", {"title": "Not found", "whitelabel": True}, status=404)
    card = _card(SharedInsight(insight, shared_result(insight)), None, detailed=True)
    context = {"title": card["shared"].title, "items": [card], "whitelabel": True, "home": True}
    return render(request, "web/detail.html", context)


def dashboard_detail(request: HttpRequest, team_id: str, dashboard_id: str) -> HttpResponse:
    team = _member_team(request, team_id)
    dashboard = project_dashboards(team).filter(pk=parse_id(dashboard_id) or 0).first() if team else None
    if team is None or dashboard is None:
        return render(request, "sharing/not_found.html", {"title": "Not found", "whitelabel": True}, status=404)
    cards = [
        _card(shared, f"/project/{team.id}/insights/{shared.insight.id}") for shared in dashboard_insights(dashboard)
    ]
    context = {"title": dashboard.name or "Dashboard", "items": cards, "whitelabel": True, "home": True, "grid": True}
    return render(request, "web/detail.html", context)


def web_urls() -> list:
    from django.urls import re_path

    return [
        re_path(r"^$", home),
        re_path(r"^login/?$", login_form),
        re_path(r"^logout/?$", logout_form),
        re_path(r"^project/(?P<team_id>[^/]+)/insights/(?P<insight_id>[^/]+)/?$", insight_detail),
        re_path(r"^project/(?P<team_id>[^/]+)/dashboards/(?P<dashboard_id>[^/]+)/?$", dashboard_detail),
    ]
