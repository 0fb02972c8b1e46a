"""`?sharing_access_token=`: read-only API access for a share (spec sharing §1.5).

The token of an enabled, live share that needs no password authenticates GET requests as an anonymous user with
a `SharingGrant`; the project-scoped views then allow only their `sharing_enabled_actions`, in the share's
project, for the objects the share covers (insights/api and insights_server/routing use the grant's interface).
"""

from django.contrib.auth.models import AnonymousUser
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from dashboards.models import Dashboard
from insights.models import Insight
from sharing.models import SharingConfiguration
from sharing.services import sharing_by_token

GET_ONLY = "Sharing access token can only be used for GET requests."
INVALID_TOKEN = "Sharing access token is invalid."


class SharingGrant:
    is_sharing_grant = True

    def __init__(self, config: SharingConfiguration):
        self.config = config
        self.team_id = config.team_id

    def insight_ids(self) -> list[int]:
        """The insights the share covers: its insight, or the non-deleted insights on its dashboard."""
        if self.config.insight_id:
            return [self.config.insight_id]
        dashboard = self.config.dashboard
        assert dashboard is not None  # a grant's share is live with a resource (sharing_by_token), not an insight's
        tiles = dashboard.tiles.filter(insight__isnull=False, insight__deleted=False)
        return list(tiles.values_list("insight_id", flat=True))

    def can_access(self, obj) -> bool:
        if getattr(obj, "team_id", None) != self.team_id:
            return False
        if isinstance(obj, Insight):
            return obj.id in self.insight_ids()
        if isinstance(obj, Dashboard):
            return obj.id == self.config.dashboard_id
        return False

    def restrict(self, queryset):
        if queryset.model is Insight:
            return queryset.filter(id__in=self.insight_ids())
        if queryset.model is Dashboard:
            return queryset.filter(id=self.config.dashboard_id)
        return queryset.none()


class SharingAccessTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        token = request.query_params.get("sharing_access_token")
        if not token:
            return None
        if request.method not in ("GET", "HEAD"):
            raise AuthenticationFailed(GET_ONLY)
        config = sharing_by_token(token)
        if config is None:
            raise AuthenticationFailed(INVALID_TOKEN)
        if config.password_required:
            return None  # a password share is opened with its JWT on the public page, not with the bare token
        return AnonymousUser(), SharingGrant(config)
