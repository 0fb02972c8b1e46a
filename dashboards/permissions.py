"""Legacy dashboard collaboration levels: who may edit a dashboard, and what that means for its insights.

Spec insights-api §3.1 and sharing-alerts-auth-activity §4.6: restriction 21 = everyone in the project can edit,
37 = only collaborators (the creator and project admins); privilege 21 = can view, 37 = can edit.
"""

from collections.abc import Iterable

from dashboards.models import Dashboard, DashboardTile, PrivilegeLevel, RestrictionLevel
from insights_server.access import membership_level
from insights_server.models import OrganizationMembership

RESTRICTED_DASHBOARD_EDIT_DENIED = (
    "This insight is on a dashboard that can only be edited by its owner, team members invited to editing the "
    "dashboard, and project admins."
)
DASHBOARD_EDIT_DENIED = "You don't have edit permissions for this dashboard."


def _organization_level(user, organization_id) -> int:
    # Memoised on the user object: session auth loads a fresh user per request, so the memo lives one request.
    levels = user.__dict__.setdefault("_dashboard_membership_levels", {})
    if organization_id not in levels:
        levels[organization_id] = membership_level(user, organization_id) or 0
    return levels[organization_id]


def _organization_id(dashboard: Dashboard):
    team = dashboard._state.fields_cache.get("team")
    return team.organization_id if team is not None else dashboard.team.organization_id


def dashboard_effective_restriction_level(dashboard: Dashboard) -> int:
    """The dashboard's restriction level as enforced (no licence gate here, so the stored one)."""
    return dashboard.restriction_level or RestrictionLevel.EVERYONE_IN_PROJECT_CAN_EDIT


def can_restrict_dashboard(user, dashboard: Dashboard) -> bool:
    """The dashboard's creator and project admins (organization admins/owners) may change its restriction."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if dashboard.created_by_id is not None and dashboard.created_by_id == user.id:
        return True
    return _organization_level(user, _organization_id(dashboard)) >= OrganizationMembership.Level.ADMIN


def can_edit_dashboard(user, dashboard: Dashboard) -> bool:
    """Whether the user may edit the dashboard (and the insights on it).

    Everyone in the project may edit a 21 dashboard; a 37 dashboard only its creator and project admins
    (organization admins/owners). Anonymous users never edit. Project membership itself is checked by the
    routing layer, not here.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if dashboard_effective_restriction_level(dashboard) < RestrictionLevel.ONLY_COLLABORATORS_CAN_EDIT:
        return True
    return can_restrict_dashboard(user, dashboard)


def dashboard_user_access_level(user, dashboard: Dashboard) -> str | None:
    """The RBAC-style level clients read: `manager` for the creator and org admins, else `editor` (the default)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return "manager" if can_restrict_dashboard(user, dashboard) else "editor"


def dashboard_effective_privilege_level(user, dashboard: Dashboard) -> int:
    """37 (can edit) when the user can edit the dashboard, else 21 (can view)."""
    return PrivilegeLevel.CAN_EDIT if can_edit_dashboard(user, dashboard) else PrivilegeLevel.CAN_VIEW


def _insight_dashboards(insight, dashboards: Iterable[Dashboard] | None) -> list[Dashboard]:
    if dashboards is not None:
        return list(dashboards)
    active_tiles = DashboardTile.objects.filter(insight=insight).values("dashboard_id")
    return list(Dashboard.objects.filter(id__in=active_tiles).select_related("team"))


def effective_restriction_level(insight, dashboards: Iterable[Dashboard] | None = None) -> int:
    """21 when the insight is on no dashboard, else the highest restriction level of its dashboards.

    `dashboards` = the dashboards the insight has an active tile on (pass them to avoid a query).
    """
    levels = [dashboard_effective_restriction_level(d) for d in _insight_dashboards(insight, dashboards)]
    return max(levels, default=RestrictionLevel.EVERYONE_IN_PROJECT_CAN_EDIT)


def effective_privilege_level(user, insight, dashboards: Iterable[Dashboard] | None = None) -> int:
    """37 when the insight is on no dashboard or the user can edit any of its dashboards, else 21."""
    found = _insight_dashboards(insight, dashboards)
    if not found or any(can_edit_dashboard(user, dashboard) for dashboard in found):
        return PrivilegeLevel.CAN_EDIT
    return PrivilegeLevel.CAN_VIEW
