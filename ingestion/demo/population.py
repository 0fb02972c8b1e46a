"""The Python half of the demo data: users (`users`) and their sessions, each session a script of events.

A session is compact: its user, start time (epoch ms), referrer and a *script*, one character per event
(see `CODES`). ClickHouse expands scripts into event rows (`expansion`, `event_sql`). Everything is drawn
from one `random.Random(seed)` in a fixed order, so equal inputs give equal output.
"""

import math
import random
from dataclasses import dataclass

from ingestion.demo import catalog
from ingestion.demo.users import DAY_MS, MINUTE_MS, DemoUser, make_user, pick_referrer, sample_instant

EVENTS_PER_PERSON = 50
EVENTS_PER_SESSION = 8
# Gaps between a session's events are below this (see event_sql.py), which bounds a session's length.
MAX_GAP_MS = 90_000
# Events before this step of a session use the anonymous distinct id; "never" for visitors who never sign up.
ANONYMOUS_THROUGHOUT = 1_000_000

# One character per event. "m" and "x" are filler events ClickHouse resolves by hash (so Python never
# draws per-event choices): "m" a marketing pageview or click, "x" an app pageview, click, insight_created,
# dashboard_viewed or invite_sent. The other codes are funnel steps whose place in the session matters.
CODES = {
    "m": "$pageview or $autocapture on a marketing page",
    "x": "$pageview, $autocapture, insight_created, dashboard_viewed or invite_sent in the app",
    "p": "$pageview (marketing page)",
    "a": "$pageview (app page)",
    "g": "$pageview /signup",
    "u": "$autocapture sign-up button",
    "S": "signed_up",
    "o": "$pageview /app/onboarding",
    "O": "onboarding_completed",
    "c": "$pageview /checkout",
    "y": "$autocapture pay button",
    "B": "purchase",
}
FILLER = frozenset("mx")
# Share of a user's later sessions placed uniformly instead of on the decaying curve: users who come back.
RETURN_SHARE = 0.15


@dataclass
class Population:
    """Users and sessions; the session columns are parallel lists (1M+ entries at 10M events)."""

    users: list[DemoUser]
    session_user: list[int]
    session_start_ms: list[int]
    session_script: list[str]
    session_switch_at: list[int]
    session_referrer: list[int]

    @property
    def event_count(self) -> int:
        return sum(map(len, self.session_script))


def _expected_sessions(user: DemoUser, latest: int) -> float:
    horizon_days = max(0.0, (latest - user.active_from_ms) / DAY_MS)
    engagement = user.engagement
    if engagement.extra_sessions_per_day == 0:
        return 1.15
    decay = engagement.decay_days
    return 1 + engagement.extra_sessions_per_day * decay * (1 - math.exp(-horizon_days / decay))


def _session_starts(rng: random.Random, user: DemoUser, count: int, latest: int) -> list[int]:
    """The first session at the first visit (new users), later ones on a decaying curve or anywhere after."""
    low = user.active_from_ms
    span = max(1, latest - low)
    decay_ms = user.engagement.decay_days * DAY_MS
    tail = 1 - math.exp(-span / decay_ms)

    def decaying(r: random.Random) -> float:
        if r.random() < RETURN_SHARE:
            return r.random() * span
        return -decay_ms * math.log(1 - r.random() * tail)

    new_user = user.created_ms == user.active_from_ms
    starts = [low] if new_user else []
    starts += [sample_instant(rng, low, latest, decaying) for _ in range(count - len(starts))]
    starts.sort()
    return starts


def _filler(app: bool, length: int) -> str:
    return ("x" if app else "m") * max(0, length)


def _length(rng: random.Random, mean: float) -> int:
    return 1 + int(rng.expovariate(1 / mean))


def _scripts(rng: random.Random, user: DemoUser, count: int, existing: bool) -> list[tuple[str, int]]:
    """(script, switch_at) per session in time order; the funnel steps sit in the sessions where they happen."""
    if not user.identified:
        return [("p" + _filler(False, _length(rng, 3.0)), ANONYMOUS_THROUGHOUT) for _ in range(count)]
    if existing:
        signup_at = -1
        onboarding_at = -1
    else:
        signup_at = 0 if count == 1 or rng.random() < 0.45 else rng.randint(1, min(3, count - 1))
        onboarding_at = signup_at if signup_at == count - 1 or rng.random() < 0.6 else signup_at + 1
    purchase_at = -1
    if user.purchase:
        first = max(onboarding_at, 0)
        purchase_at = (
            first if first == count - 1 or rng.random() < 0.3 else rng.randint(first + 1, min(count - 1, first + 5))
        )
    scripts = []
    for position in range(count):
        if position < signup_at:
            scripts.append(("p" + _filler(False, _length(rng, 3.0)), ANONYMOUS_THROUGHOUT))
            continue
        parts = []
        switch_at = 0
        if position == signup_at:
            parts += ["p", _filler(False, _length(rng, 2.0) - 1), "gu"]
            switch_at = len("".join(parts))
            parts.append("S")
        if position == onboarding_at and user.onboarding:
            parts.append("oO")
        if position == purchase_at:
            parts += ["a", _filler(True, _length(rng, 3.0) - 1), "cyB"]
        parts += ["a", _filler(True, _length(rng, 10.0) - 1)]
        scripts.append(("".join(parts), switch_at))
    return scripts


def build_population(events: int, days: int, seed: int, now_ms: int) -> Population:
    """Users (about events/50) and sessions (about events/8) whose scripts hold exactly `events` events.

    Session starts lie in [now - days, now - 20 min]; events are later shifted so none passes `now_ms`.
    """
    if events < 1 or days < 1 or seed < 0:
        raise ValueError("events and days must be positive, the seed must not be negative")
    rng = random.Random(seed)
    window_start = now_ms - days * DAY_MS
    latest = now_ms - 20 * MINUTE_MS
    users = [make_user(rng, index, window_start, latest) for index in range(max(1, round(events / EVENTS_PER_PERSON)))]
    expected = [_expected_sessions(user, latest) for user in users]
    scale = events / EVENTS_PER_SESSION / sum(expected)
    population = Population(users, [], [], [], [], [])
    for user, mean in zip(users, expected, strict=True):
        count = max(1, int(mean * scale + rng.random()))
        starts = _session_starts(rng, user, count, latest)
        existing = user.created_ms < window_start
        for start, (script, switch_at) in zip(starts, _scripts(rng, user, count, existing), strict=True):
            user.sessions.append(len(population.session_start_ms))
            population.session_user.append(user.index)
            population.session_start_ms.append(start)
            population.session_script.append(script)
            population.session_switch_at.append(switch_at)
            population.session_referrer.append(pick_referrer(rng))
            if switch_at not in (0, ANONYMOUS_THROUGHOUT):
                user.signup_ms = start
    _fit_event_count(rng, population, events)
    _keep_before(population, now_ms, window_start)
    _settle_users(population)
    return population


def _fit_event_count(rng: random.Random, population: Population, events: int) -> None:
    """Pads or trims scripts so they hold exactly `events` events; funnel steps are trimmed only as a last resort."""
    scripts = population.session_script
    missing = events - sum(map(len, scripts))
    if missing > 0:
        extra = [0] * len(scripts)
        for _ in range(missing):
            extra[rng.randrange(len(scripts))] += 1
        for position, count in enumerate(extra):
            if count:
                app = population.session_switch_at[position] != ANONYMOUS_THROUGHOUT
                scripts[position] += _filler(app, count)
        return
    excess = -missing
    order = list(range(len(scripts)))
    rng.shuffle(order)
    for position in order:  # 1. trailing filler events
        if excess == 0:
            return
        script = scripts[position]
        keep = len(script)
        while keep > 1 and script[keep - 1] in FILLER and len(script) - keep < excess:
            keep -= 1
        excess -= len(script) - keep
        scripts[position] = script[:keep]
    for position in order:  # 2. whole sessions, for tiny event counts
        if excess == 0:
            return
        if 0 < len(scripts[position]) <= excess:
            excess -= len(scripts[position])
            scripts[position] = ""
    if excess:  # 3. every remaining session is longer than the excess
        position = next(p for p in order if scripts[p])
        scripts[position] = scripts[position][:-excess]


def _keep_before(population: Population, now_ms: int, window_start: int) -> None:
    """Drops sessions emptied by trimming; moves sessions earlier so none runs past `now` or into the user's next.

    A user's sessions are contiguous and in time order, so one backward pass keeps them ordered and apart:
    funnel steps stay in order and events before a sign-up never follow it.
    """
    keep = [position for position, script in enumerate(population.session_script) if script]
    if len(keep) != len(population.session_script):
        for name in ("session_user", "session_start_ms", "session_script", "session_switch_at", "session_referrer"):
            column = getattr(population, name)
            setattr(population, name, [column[position] for position in keep])
    starts, users, scripts = population.session_start_ms, population.session_user, population.session_script
    limit, user = now_ms - 1000, -1
    for position in range(len(starts) - 1, -1, -1):
        if users[position] != user:
            limit, user = now_ms - 1000, users[position]
        latest_start = limit - (len(scripts[position]) - 1) * MAX_GAP_MS
        if starts[position] > latest_start:
            starts[position] = max(window_start, latest_start)
        limit = starts[position] - 1000


def _settle_users(population: Population) -> None:
    """Re-links users to their surviving sessions; created_at never follows the first event."""
    for user in population.users:
        user.sessions = []
    for position, user_index in enumerate(population.session_user):
        population.users[user_index].sessions.append(position)
    for user in population.users:
        if user.sessions:
            first_start = min(population.session_start_ms[position] for position in user.sessions)
            user.created_ms = min(user.created_ms, first_start)
            user.first_referrer = catalog.REFERRERS[population.session_referrer[user.sessions[0]]][0]
        if user.identified and not user.signup_ms:
            user.signup_ms = user.created_ms
