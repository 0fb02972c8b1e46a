"""Demo users: engagement kinds, traits, identities and the instants they are active at."""

import bisect
import hashlib
import itertools
import math
import random
import uuid
from dataclasses import dataclass, field

from ingestion.demo import catalog

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class Engagement:
    """How a kind of user behaves: sessions on the first day and their decay, and funnel conversion."""

    name: str
    weight: float
    extra_sessions_per_day: float  # rate right after the first visit
    decay_days: float  # mean life of that rate: retention decays over weeks
    signup: float
    onboarding: float  # given signup
    purchase: float  # given onboarding


ENGAGEMENTS = (
    Engagement("bounce", 40, 0.0, 1.0, 0.06, 0.5, 0.25),
    Engagement("casual", 35, 0.45, 6.0, 0.25, 0.6, 0.35),
    Engagement("regular", 18, 0.45, 28.0, 0.5, 0.7, 0.45),
    Engagement("power", 7, 0.65, 150.0, 0.8, 0.85, 0.6),
)
# Users active before the window starts (created up to half a year earlier): no "new" lifecycle for them.
EXISTING_SHARE = 0.15
EXISTING_ENGAGEMENTS = (0, 30, 45, 25)
EXISTING_IDENTIFIED = 0.75


@dataclass(slots=True)
class DemoUser:
    index: int
    engagement: Engagement
    created_ms: int  # becomes the person's created_at
    active_from_ms: int
    device_type: str
    os: str
    browser: str
    browser_version: float
    country: str
    identified: bool = False  # signed up (before or during the window)
    signup_ms: int = 0
    signup_method: str = ""
    onboarding: bool = False
    purchase: bool = False
    plan: str = ""
    revenue: float = 0.0
    name: str = ""
    first_referrer: str = "$direct"
    sessions: list[int] = field(default_factory=list)  # positions in the Population's session columns


def hashed_uuid(*parts: object) -> uuid.UUID:
    """A version-4 shaped UUID fixed by its inputs (uuid4() would break determinism)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest()
    return uuid.UUID(bytes=digest, version=4)


def anonymous_distinct_id(seed: int, index: int) -> str:
    return str(hashed_uuid("demo-anonymous", seed, index))


def identified_distinct_id(seed: int, index: int) -> str:
    return str(hashed_uuid("demo-user", seed, index))


def user_email(user: DemoUser) -> str:
    return f"user{user.index}@example.com"


class _Picker:
    """Weighted choice with a precomputed cumulative table (random.choices rebuilds it on every call)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


_ENGAGEMENT = _Picker(ENGAGEMENTS, [e.weight for e in ENGAGEMENTS])
_EXISTING_ENGAGEMENT = _Picker(ENGAGEMENTS, EXISTING_ENGAGEMENTS)
_DEVICE = _Picker([d for d, _ in catalog.DEVICE_TYPES], [w for _, w in catalog.DEVICE_TYPES])
_PLATFORM = {
    device: _Picker([p[:2] for p in choices], [p[2] for p in choices]) for device, choices in catalog.PLATFORMS.items()
}
_COUNTRY = _Picker([c for c, _ in catalog.COUNTRIES], [w for _, w in catalog.COUNTRIES])
# Index into catalog.REFERRERS of a session's entry referrer.
pick_referrer = _Picker(range(len(catalog.REFERRERS)), [w for _, w in catalog.REFERRERS])
_SIGNUP_METHOD = _Picker([m for m, _ in catalog.SIGNUP_METHODS], [w for _, w in catalog.SIGNUP_METHODS])
_PLAN = _Picker(catalog.PAID_PLANS, [p[1] for p in catalog.PAID_PLANS])
_HOUR = _Picker(range(24), catalog.HOUR_WEIGHTS)
_WEEKDAY_ACCEPT = [w / max(catalog.WEEKDAY_WEIGHTS) for w in catalog.WEEKDAY_WEIGHTS]


def _place(rng: random.Random, raw_ms: float, low: int, high: int) -> int:
    """Moves a raw instant to a plausible hour of its UTC day; None-like (-1) when its weekday rejects it."""
    day_start = int(raw_ms) - int(raw_ms) % DAY_MS
    if rng.random() > _WEEKDAY_ACCEPT[(day_start // DAY_MS + 3) % 7]:  # 1970-01-01 was a Thursday
        return -1
    placed = day_start + _HOUR(rng) * HOUR_MS + rng.randrange(HOUR_MS)
    return placed if low <= placed <= high else int(raw_ms)


def sample_instant(rng: random.Random, low: int, high: int, draw) -> int:
    """An instant in [low, high] from `draw(rng)` (an offset from low), thinned by weekday and moved to a busy hour."""
    placed = -1
    for _ in range(4):
        placed = _place(rng, low + draw(rng), low, high)
        if placed >= 0:
            return placed
    return min(max(int(low + draw(rng)), low), high)


def make_user(rng: random.Random, index: int, window_start: int, latest: int) -> DemoUser:
    span = latest - window_start
    existing = rng.random() < EXISTING_SHARE
    if existing:
        engagement = _EXISTING_ENGAGEMENT(rng)
        created = window_start - rng.randrange(DAY_MS, 180 * DAY_MS)
        active_from = window_start
    else:
        engagement = _ENGAGEMENT(rng)
        # Sign-ups grow over the window: density proportional to 1 + x on [0, 1].
        created = sample_instant(rng, window_start, latest, lambda r: span * (math.sqrt(1 + 3 * r.random()) - 1))
        active_from = created
    device = _DEVICE(rng)
    os_name, browser = _PLATFORM[device](rng)
    user = DemoUser(
        index=index,
        engagement=engagement,
        created_ms=created,
        active_from_ms=active_from,
        device_type=device,
        os=os_name,
        browser=browser,
        browser_version=rng.choice(catalog.BROWSER_VERSIONS[browser]),
        country=_COUNTRY(rng),
    )
    if existing:
        user.identified = rng.random() < EXISTING_IDENTIFIED
        user.signup_ms = created
        user.onboarding = user.identified
        user.purchase = user.identified and rng.random() < 0.2
    else:
        user.identified = rng.random() < engagement.signup
        user.onboarding = user.identified and rng.random() < engagement.onboarding
        user.purchase = user.onboarding and rng.random() < engagement.purchase
    if user.identified:
        user.signup_method = _SIGNUP_METHOD(rng)
        user.name = f"{rng.choice(catalog.FIRST_NAMES)} {rng.choice(catalog.LAST_NAMES)}"
        user.plan = "free"
    if user.purchase:
        paid_plan, _, revenues = _PLAN(rng)
        user.plan, user.revenue = paid_plan, rng.choice(revenues)
    return user
