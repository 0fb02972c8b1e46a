"""Rate limits for personal-API-key requests (sessions are never throttled), on when RATE_LIMIT_ENABLED is set."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from insights_server.auth import authenticated_key


class PersonalAPIKeyRateThrottle(SimpleRateThrottle):
    """Counts requests per personal API key (its stored hash) in the Django cache."""

    scope: str  # every subclass names its rate

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if not settings.RATE_LIMIT_ENABLED or authenticated_key(request) is None:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        key = authenticated_key(request)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.secure_value}


class BurstRateThrottle(PersonalAPIKeyRateThrottle):
    scope = "burst"


class SustainedRateThrottle(PersonalAPIKeyRateThrottle):
    scope = "sustained"


class ClickHouseBurstRateThrottle(PersonalAPIKeyRateThrottle):
    scope = "clickhouse_burst"


class ClickHouseSustainedRateThrottle(PersonalAPIKeyRateThrottle):
    scope = "clickhouse_sustained"


class HogQLQueryThrottle(PersonalAPIKeyRateThrottle):
    """PostHog's `query` throttle: HogQL sent with an API key to /query/ (120/hour unless THROTTLE_RATE_QUERY)."""

    scope = "query"
