"""Vectorised evaluations of strict, unordered and excluding funnels and of funnel trends (spec §3.9).

They give the numbers of the fold in sequence.py without running a lambda per event and accumulator: each actor's
events are packed into one UInt64 (microseconds since the epoch in the high bits, then a key, then exclusion
bits), sorted, and evaluated with a few passes of array functions over aligned arrays, one SELECT per
intermediate array. The sort order is the fold's: by time, then by step mask (no step < step 1 < step 2 < ... <
exclusion events). The key is the step mask (plus a flag above it for exclusion events), or for strict funnels
the step code (0: none, k: step k, steps+1: exclusion event).

Exclusion bits: bit k-1 (k >= 2) of an exclusion event says it interrupts paths heading to step k. As in the fold,
an event matching a step carries no exclusion bits.

- `ordered_levels` (ordered funnels with exclusions): the step-by-step "latest path" arrays of greedy.py, plus the
  exclusion check of the fold: an exclusion event interrupting step k drops the actor when the latest path at step
  k-1 is inside its window and has not reached step k yet, unless the funnel was completed before. Funnel trends
  with exclusions run it once per actor and entrance period (query_builder.per_period_query), as the fold does.
- `strict_levels` (strict funnels whose steps never share an event): after each event at most one path exists,
  the one at the event's step, so one array `entry` (the entry time of that path, 0 when none) evaluated step
  by step: a step-k event continues the path of the step-(k-1) event right before it (inside the window), a
  repeated step-k event keeps its path, anything else ends it.
- `trends_levels` (ordered funnel trends): the fold's result per entrance period is the longest of the paths
  starting at the period's entries, each path taking for each next step the first later event matching it (the
  closed form of greedy.py). The time each entry's path reaches step m comes from m-1 reverse fills over the
  events, and the longest path per period from splitting the entries where their period changes.
- `unordered_levels`: each step's first event at or after every event's time is a reverse fill, so every
  opening's window is read off aligned arrays instead of searched per opening.
"""

from queries.runners.funnels.expr import (
    X,
    all_of,
    any_of,
    array,
    call,
    const,
    field,
    flags_all,
    if_,
    lam,
    not_,
    select,
    when,
)

MICROS = 1_000_000
# Entrance periods travel as text in the team's timezone, so Date (week, month) and DateTime buckets compare alike.
PERIOD_FORMAT = "%Y-%m-%d %H:%i:%S"
TIME_BITS = 51  # microseconds since 1970 stay below 2^51 until the year 2041
MAX_BITS = 63


def code_bits(steps: int) -> int:
    """Bits of a strict step code: 0 (no step), 1..steps, steps+1 (exclusion event)."""
    return (steps + 1).bit_length()


def key_bits(steps: int, strict: bool, exclusions: bool) -> int:
    """Strict: the step code; otherwise the step mask, and one bit above it flagging exclusion events."""
    return code_bits(steps) if strict else steps + (1 if exclusions else 0)


def fits(steps: int, strict: bool, exclusions: bool) -> bool:
    return TIME_BITS + key_bits(steps, strict, exclusions) + (steps if exclusions else 0) <= MAX_BITS


class Layout:
    """Where the parts of a packed event live: `time << (key + excl) | key << excl | exclusion bits`."""

    def __init__(self, steps: int, strict: bool, exclusions: bool):
        self.steps, self.strict = steps, strict
        self.excl_bits = steps if exclusions else 0
        self.key_bits = key_bits(steps, strict, exclusions)
        self.low = self.key_bits + self.excl_bits

    # ---- packing (level 1) ---------------------------------------------------------------------

    def pack(self, conditions: list[X], exclusions: list[tuple[X, int]]) -> X:
        """`conditions`: one per step; `exclusions`: (condition, exclusion bits) per exclusion."""
        n = self.steps
        excl = None
        for condition, bits in exclusions:
            bit = if_(condition, bits, 0)
            excl = bit if excl is None else call("bitOr", excl, bit)
        if self.strict:
            branches: list = []
            for step, condition in enumerate(conditions, start=1):
                branches += [condition, step]
            if excl is not None:
                branches += [call("toUInt64", excl).gt(0), n + 1]
            key = call("toUInt64", call("multiIf", *branches, 0))
            excl_value = if_(key.eq(n + 1), call("toUInt64", excl), 0) if excl is not None else None
        else:
            mask = None
            for step, condition in enumerate(conditions, start=1):
                bit = if_(condition, 1 << (step - 1), 0)
                mask = bit if mask is None else mask + bit
            key = call("toUInt64", mask)
            excl_value = None
            if excl is not None:
                excl_value = if_(key.eq(0), call("toUInt64", excl), 0)
                key = if_(key.eq(0) & excl_value.gt(0), 1 << n, key)
        micros = call("toUInt64", call("toUnixTimestamp64Micro", field("timestamp")))
        packed = call("bitOr", call("bitShiftLeft", micros, self.low), shift_left(key, self.excl_bits))
        if excl_value is not None:
            packed = call("bitOr", packed, excl_value)
        return packed

    def relevant(self, packed: X) -> X:
        """Non-strict funnels: the event matches a step or is an exclusion."""
        return call("bitAnd", packed, (1 << self.low) - 1).ne(0)

    # ---- unpacking -----------------------------------------------------------------------------

    def time(self, packed: X) -> X:
        return call("bitShiftRight", packed, self.low)

    def code(self, packed: X) -> X:
        """Strict layout: the step code."""
        shifted_key = call("bitShiftRight", packed, self.excl_bits) if self.excl_bits else packed
        return call("bitAnd", shifted_key, (1 << self.key_bits) - 1)

    def step_bit(self, step: int) -> int:
        """Ordered layout: the bit saying the event matches `step` (1-based)."""
        return self.excl_bits + step - 1

    def has_step(self, packed: X, step: int) -> X:
        """Ordered layout: the event matches `step` (1-based)."""
        return call("bitTest", packed, self.step_bit(step))

    def is_step_event(self, packed: X) -> X:
        if self.strict:
            code = self.code(packed)
            return code.gt(0) & code.le(self.steps)
        return call("bitAnd", packed, ((1 << self.steps) - 1) << self.excl_bits).ne(0)

    def is_exclusion_event(self, packed: X) -> X:
        """Ordered layout with exclusions: the flag above the step mask."""
        return call("bitTest", packed, self.excl_bits + self.steps)

    def interrupts(self, packed: X, step: int) -> X:
        return call("bitTest", packed, step - 1)


def shift_left(value: X, bits: int) -> X:
    return call("bitShiftLeft", value, bits) if bits else value


class Levels:
    """A chain of SELECTs, each adding columns to the one before and carrying all earlier ones (ClickHouse drops
    the ones no outer level reads)."""

    def __init__(self, source, carry: list[str], columns: list[str]):
        self.query, self.carry, self.columns = source, list(carry), list(columns)

    def add(self, **expressions: X) -> None:
        names = [*self.carry, *self.columns]
        self.query = select(
            [*(field(name) for name in names), *(expr.alias(name) for name, expr in expressions.items())],
            self.query,
        )
        self.columns += list(expressions)

    def finish(self, **expressions: X):
        return select(
            [*(field(name) for name in self.carry), *(e.alias(n) for n, e in expressions.items())], self.query
        )


def shifted(values: X, first=0) -> X:
    """values[i-1] at position i (`first` at position 1)."""
    return call("arrayResize", call("arrayPushFront", values, first), call("length", values))


def following(values: X) -> X:
    """values[i+1] at position i (0 at the last position)."""
    return call("arrayPopFront", call("arrayPushBack", values, 0))


def as_seconds(time: X, per_second: int = MICROS) -> X:
    return call("divide", call("toFloat64", time), per_second)


def seconds_at(times: X, index: X, per_second: int = MICROS) -> X:
    return as_seconds(times[index], per_second)


def flag(condition: X) -> X:
    """A condition as the UInt8 `excluded` column."""
    return if_(condition, call("toUInt8", 1), call("toUInt8", 0))


def add_furthest(levels: Levels) -> None:
    """Adds `furthest`, the highest of the per-event `levels`, and `reached_at`, the first event reaching it."""
    levels.add(furthest=call("arrayMax", field("levels")))
    levels.add(reached_at=call("indexOf", field("levels"), field("furthest")))


def finish_strict(levels: Levels, steps: int, path: list[X]):
    """The strict evaluations' last SELECT: `best` without the steps the path did not reach (-1), and `excluded`
    when the first exclusion hit (`first_hit`) came before the event completing the funnel."""
    hit, done = field("first_hit"), if_(field("furthest").eq(steps), field("reached_at"), 0)
    return levels.finish(
        best=call("arrayFilter", lam(lambda t: t.ge(0), "t"), array(*path)),
        excluded=flag(hit.gt(0) & (done.eq(0) | hit.lt(done))),
    )


def reached_levels(levels: Levels, steps: int, has_step, time_of, window: int, exclusive_steps: bool) -> None:
    """Adds `reached_1` .. `reached_n` to `levels` (which has the sorted `events`): `reached_k[j]`, the entry time
    of the path event j moves to step k, or 0. An event reaches step k from the latest event before it that
    reached step k-1, when inside that path's window (`window`, in the unit of `time_of(x)`, the time of packed
    event x). `has_step(x, k)`: event x matches step k. `exclusive_steps`: no event matches two steps, so the
    latest path at or before an event is the one before it. Times are read from the packed events inside each
    lambda rather than from an array of their own: one array pass and one SELECT fewer.
    """
    events = field("events")
    levels.add(reached_1=call("arrayMap", lam(lambda x: when(has_step(x, 1), time_of(x)), "x"), events))
    for step in range(2, steps + 1):
        latest = call("arrayFill", lam(lambda v: v.gt(0), "v"), field(f"reached_{step - 1}"))
        before = latest if exclusive_steps else shifted(latest)

        def moved(x: X, entry: X, step=step) -> X:
            return when(flags_all(has_step(x, step), entry.gt(0), (time_of(x) - entry).le(window)), entry)

        levels.add(**{f"reached_{step}": call("arrayMap", lam(moved, "x", "e"), events, before)})


def first_reached(step: int) -> X:
    """The entry time of the first path reaching `step`, 0 when none (arrayRemove rather than a lambda: the same
    answer, and every lambda adds to ClickHouse's analysis)."""
    return call("arrayElement", call("arrayRemove", field(f"reached_{step}"), 0), 1)


def reported_entry(steps: int) -> X:
    """The entry time of the path reported for conversion times: the first path reaching the furthest step
    (needs the `reached_k` columns; repeated sub-expressions are computed once by ClickHouse)."""
    branches: list = []
    for step in range(steps, 1, -1):
        branches += [first_reached(step).gt(0), first_reached(step)]
    return call("multiIf", *branches, first_reached(1))


def reported_path(steps: int, time_of, per_second: int) -> X:
    """The times in seconds at which the path starting at `entry` (see `reported_entry`) reached each step."""
    entry = field("entry")
    path = []
    for step in range(1, steps + 1):
        index = call("indexOf", field(f"reached_{step}"), entry)
        at = as_seconds(time_of(field("events")[index]), per_second)
        path.append(if_(flags_all(entry.gt(0), index.gt(0)), at, -1.0))
    return call("arrayRemove", array(*path), -1.0)


def interrupts_path(layout: Layout, x: X, t: X, window: int, source_entry: X, target_entry: X, step: int) -> X:
    """Exclusion event x (at time t) interrupts the path at step `step`-1 (entry `source_entry`): inside its window,
    and that path has not reached `step` yet (the path at `step` has another entry, `target_entry`)."""
    return flags_all(
        layout.interrupts(x, step), source_entry.gt(0), (t - source_entry).le(window), target_entry.ne(source_entry)
    )


def ordered_levels(
    layout: Layout,
    window_seconds: int,
    source,
    carry: list[str],
    exclusion_steps: list[int],
    exclusive_steps: bool = False,
):
    """`source` has sorted packed `events` and `carry`; adds `best` (seconds) and `excluded`.

    `exclusive_steps`: no event matches two steps, so the latest path at or before an event is the one before it.
    """
    n, window = layout.steps, window_seconds * MICROS
    events = field("events")
    levels = Levels(source, carry, ["events"])
    reached_levels(levels, n, layout.has_step, layout.time, window, exclusive_steps)
    # Exclusion events match no step: the latest paths at their position are the state right before them.
    latest_names = sorted({s for step in exclusion_steps for s in (step - 1, step)})
    levels.add(
        **{f"latest_{s}": call("arrayFill", lam(lambda v: v.gt(0), "v"), field(f"reached_{s}")) for s in latest_names}
    )
    if exclusion_steps:
        names = ["x", *(f"l{s}" for s in latest_names)]

        def interrupted(x: X, *latest: X) -> X:
            by_step = dict(zip(latest_names, latest, strict=True))
            t = layout.time(x)
            return any_of(
                *(interrupts_path(layout, x, t, window, by_step[s - 1], by_step[s], s) for s in exclusion_steps)
            )

        arrays = [events, *(field(f"latest_{s}") for s in latest_names)]
        first_hit = call("arrayFirstIndex", lam(interrupted, *names), *arrays)
    else:
        first_hit = const(0)
    completed = call("arrayFirstIndex", lam(lambda v: v.gt(0), "v"), field(f"reached_{n}"))
    levels.add(first_hit=first_hit, completed=completed, entry=reported_entry(n))
    best = reported_path(n, layout.time, MICROS)
    hit, done = field("first_hit"), field("completed")
    excluded = hit.gt(0) & (done.eq(0) | hit.lt(done))
    return levels.finish(best=best, excluded=flag(excluded))


def strict_entries(layout: Layout, window: int, levels: Levels) -> None:
    """Adds `times`, `codes`, `previous_codes` and `entry_1` .. `entry_n`: `entry_n` is the entry time of the path
    alive after each event (at the event's step), 0 when none."""
    n = layout.steps
    events, times, codes = field("events"), field("times"), field("codes")
    levels.add(
        times=call("arrayMap", lam(lambda x: layout.time(x), "x"), events),
        codes=call("arrayMap", lam(lambda x: layout.code(x), "x"), events),
    )
    levels.add(
        previous_codes=shifted(codes),
        entry_1=call("arrayMap", lam(lambda c, t: if_(c.eq(1), t, 0), "c", "t"), codes, times),
    )
    previous = field("previous_codes")
    for step in range(2, n + 1):
        entries = field(f"entry_{step - 1}")

        def advanced(v: X, c: X, p: X, pe: X, t: X, step=step) -> X:
            fresh = if_(p.eq(step - 1) & pe.gt(0) & (t - pe).le(window), pe, 0)
            return if_(c.eq(step), fresh, v)

        mapped = call(
            "arrayMap", lam(advanced, "v", "c", "p", "pe", "t"), entries, codes, previous, shifted(entries), times
        )
        # A repeated step-k event keeps the path of the one before it.
        repeated = lam(lambda v, c, p, step=step: not_(c.eq(step) & p.eq(step)), "v", "c", "p")
        levels.add(**{f"entry_{step}": call("arrayFill", repeated, mapped, codes, previous)})


def strict_levels(layout: Layout, window_seconds: int, source, carry: list[str], exclusion_steps: list[int]):
    """`source` has sorted packed `events` and `carry`; adds `best` (seconds) and `excluded`."""
    n, window = layout.steps, window_seconds * MICROS
    events, times, codes = field("events"), field("times"), field("codes")
    previous = field("previous_codes")
    levels = Levels(source, carry, ["events"])
    strict_entries(layout, window, levels)
    entries = field(f"entry_{n}")
    level_of = call("arrayMap", lam(lambda c, v: if_(v.gt(0), c, 0), "c", "v"), codes, entries)
    if exclusion_steps:

        def hit(x: X, p: X, pe: X, t: X) -> X:
            parts = [p.eq(step - 1) & layout.interrupts(x, step) for step in exclusion_steps]
            return all_of(any_of(*parts), pe.gt(0), (t - pe).le(window))

        first_hit = call("arrayFirstIndex", lam(hit, "x", "p", "pe", "t"), events, previous, shifted(entries), times)
    else:
        first_hit = const(0)
    levels.add(levels=level_of, first_hit=first_hit)
    add_furthest(levels)
    levels.add(entry=if_(field("furthest").gt(0), entries[field("reached_at")], 0))
    path = []
    for step in range(1, n + 1):
        index = call(
            "arrayFirstIndex", lam(lambda c, v, step=step: c.eq(step) & v.eq(field("entry")), "c", "v"), codes, entries
        )
        path.append(if_(field("furthest").ge(step) & index.gt(0), seconds_at(times, index), -1.0))
    return finish_strict(levels, n, path)


def strict_shared_levels(layout: Layout, window_seconds: int, source, carry: list[str], exclusion_steps: list[int]):
    """Strict funnels whose steps may share events (step-mask layout): `source` has sorted packed `events` (all
    the actor's events) and `carry`; adds `best` (seconds) and `excluded`.

    One array per step: `entry_k[j]`, the entry time of the path at step k after event j (0: none). As in the
    fold, every step is computed from the state before the event: a step-k event moves the step-(k-1) path of the
    event before it on (inside the window), else keeps its own step-k path from the event before it (a run of
    step-k events); any step the event does not match is reset.
    """
    n, window = layout.steps, window_seconds * MICROS
    events, times = field("events"), field("times")
    levels = Levels(source, carry, ["events"])
    levels.add(times=call("arrayMap", lam(lambda x: layout.time(x), "x"), events))
    levels.add(entry_1=call("arrayMap", lam(lambda x, t: when(layout.has_step(x, 1), t), "x", "t"), events, times))
    for step in range(2, n + 1):

        def fresh(x: X, t: X, e: X, step=step) -> X:
            return when(flags_all(layout.has_step(x, step), e.gt(0), (t - e).le(window)), e)

        moved = call("arrayMap", lam(fresh, "x", "t", "e"), events, times, shifted(field(f"entry_{step - 1}")))
        matched = call("arrayMap", lam(lambda x, step=step: layout.has_step(x, step), "x"), events)
        kept = lam(lambda v, m, pm: not_(flags_all(m, pm, v.eq(0))), "v", "m", "pm")
        levels.add(**{f"entry_{step}": call("arrayFill", kept, moved, matched, shifted(matched))})
    entries = [field(f"entry_{step}") for step in range(1, n + 1)]

    def level(*values: X) -> X:
        branches: list = []
        for step in range(n, 0, -1):
            branches += [values[step - 1].gt(0), step]
        return call("multiIf", *branches, 0)

    names = [f"e{step}" for step in range(1, n + 1)]
    first_hit: X = const(0)
    if exclusion_steps:

        def hit(x: X, t: X, *before: X) -> X:
            return any_of(
                *(interrupts_path(layout, x, t, window, before[s - 2], before[s - 1], s) for s in exclusion_steps)
            )

        shifted_entries = [shifted(entry) for entry in entries]
        first_hit = call("arrayFirstIndex", lam(hit, "x", "t", *names), events, times, *shifted_entries)
    levels.add(levels=call("arrayMap", lam(level, *names), *entries), first_hit=first_hit)
    add_furthest(levels)
    at_reach = array(*(entry[field("reached_at")] for entry in entries))
    levels.add(entry=if_(field("furthest").gt(0), at_reach[field("furthest")], 0))
    path = []
    for step, entry in enumerate(entries, start=1):
        index = call("indexOf", entry, field("entry"))
        path.append(if_(flags_all(field("furthest").ge(step), index.gt(0)), seconds_at(times, index), -1.0))
    return finish_strict(levels, n, path)


def trends_levels(layout: Layout, window_seconds: int, source, carry: list[str], period, variant=None):
    """`source` has sorted packed `events` and `carry`; one row per actor and entrance period with `variant` (the
    formatted period, or `variant(period)`), `best` (as long as the furthest step) and `excluded` (0).

    `period(seconds)`: the truncated entrance period of a time in whole seconds since the epoch.
    """
    n, window = layout.steps, window_seconds * MICROS
    events, times = field("events"), field("times")
    levels = Levels(source, carry, ["events"])
    levels.add(times=call("arrayMap", lam(lambda x: layout.time(x), "x"), events))
    for step in range(1, n + 1):
        flag = call("arrayMap", lam(lambda x, step=step: layout.has_step(x, step), "x"), events)
        levels.add(**{f"is_{step}": flag})
    # reach_m: at each event matching step k, the time the path through it reaches step m (0: never).
    for target in range(2, n + 1):
        reach = call("arrayMap", lam(lambda f, t: if_(f, t, 0), "f", "t"), field(f"is_{target}"), times)
        for step in range(target - 1, 0, -1):
            # The value at the first event after each position that matches step+1 ...
            ahead = following(call("arrayReverseFill", lam(lambda v, f: f, "v", "f"), reach, field(f"is_{step + 1}")))
            # ... kept at the events matching step.
            reach = call("arrayMap", lam(lambda v, f: if_(f, v, 0), "v", "f"), ahead, field(f"is_{step}"))
        levels.add(**{f"reach_{target}": reach})

    def level(f: X, t: X, *reach: X) -> X:
        total: X = if_(f, 1, 0)
        for r in reach:
            total = total + if_(f & r.gt(0) & (r - t).le(window), 1, 0)
        return total

    names = ["f", "t", *(f"r{m}" for m in range(2, n + 1))]
    arrays = [field("is_1"), times, *(field(f"reach_{m}") for m in range(2, n + 1))]
    levels.add(levels=call("arrayMap", lam(level, *names), *arrays))
    return per_period(levels, times, period, variant)


def strict_trends_levels(layout: Layout, window_seconds: int, source, carry: list[str], period, variant=None):
    """As `trends_levels`, for strict funnels whose steps never share an event: every event with a path alive
    after it belongs to the path of its entry, so the furthest step per entrance period is the highest step of
    those events, grouped by the period of their entry."""
    levels = Levels(source, carry, ["events"])
    strict_entries(layout, window_seconds * MICROS, levels)
    entries = field(f"entry_{layout.steps}")
    levels.add(levels=call("arrayMap", lam(lambda c, v: if_(v.gt(0), c, 0), "c", "v"), field("codes"), entries))
    return per_period(levels, entries, period, variant)


def per_period(levels: Levels, entry_times: X, period, variant):
    """One row per entrance period from `levels` (> 0: a path of that many steps) and the entry time of each
    path (`entry_times`, non-decreasing where `levels` > 0)."""
    entry_levels = call("arrayFilter", lam(lambda v: v.gt(0), "v"), field("levels"))
    entry_periods = call(
        "arrayMap",
        lam(lambda t: period(call("intDiv", t, MICROS)), "t"),
        call("arrayFilter", lam(lambda t, v: v.gt(0), "t", "v"), entry_times, field("levels")),
    )
    levels.add(entry_levels=entry_levels, entry_periods=entry_periods)
    periods = field("entry_periods")
    starts = call(
        "arrayMap",
        lam(lambda p, q, i: i.eq(1) | p.ne(q), "p", "q", "i"),
        periods,
        shifted(periods, periods[1]),
        call("arrayEnumerate", periods),
    )
    levels.add(starts=starts)
    furthest = call(
        "arrayMap",
        lam(lambda g: call("arrayMax", g), "g"),
        call("arraySplit", lam(lambda v, s: s, "v", "s"), field("entry_levels"), field("starts")),
    )
    distinct = call("arrayFilter", lam(lambda p, s: s, "p", "s"), periods, field("starts"))
    levels.add(pair=call("arrayJoin", call("arrayZip", distinct, furthest)))
    formatted = call("formatDateTime", field("pair").t(1), PERIOD_FORMAT)
    return levels.finish(
        variant=variant(formatted) if variant is not None else formatted,
        best=call("arrayResize", array(call("toFloat64", 0)), field("pair").t(2)),
        excluded=call("toUInt8", 0),
    )


def unordered_levels(layout: Layout, window_seconds: int, source, carry: list[str], exclusions: bool, opens=None):
    """`source` has sorted packed `events` and `carry`; adds `best` (seconds) and `excluded` (unordered funnels).

    As sequence.unordered_state: every step event opens a window, which holds for each step the first event
    matching it at or after the opening time and inside the window; the first opening with the most steps wins.
    "First at or after a time" is a reverse fill of the step's times, read at the first event of the opening's
    time (events at equal times count whichever comes first). `opens(x)`: a further condition on the events that
    may open a window (funnel trends: the entrance period being evaluated).
    """
    n, window = layout.steps, window_seconds * MICROS
    events, times = field("events"), field("times")
    levels = Levels(source, carry, ["events"])
    levels.add(times=call("arrayMap", lam(lambda x: layout.time(x), "x"), events))
    levels.add(starts=call("arrayMap", lam(lambda t, p: t.ne(p), "t", "p"), times, shifted(times)))
    for step in range(1, n + 1):
        own = call(
            "arrayMap", lam(lambda x, t, step=step: if_(layout.has_step(x, step), t, 0), "x", "t"), events, times
        )
        ahead = call("arrayReverseFill", lam(lambda v: v.gt(0), "v"), own)
        levels.add(**{f"first_{step}": call("arrayFill", lam(lambda v, s: s, "v", "s"), ahead, field("starts"))})

    def inside(first: X, t: X) -> X:
        return first.gt(0) & (first - t).le(window)

    def length(x: X, t: X, *firsts: X) -> X:
        total: X | None = None
        for first in firsts:
            term = if_(inside(first, t), 1, 0)
            total = term if total is None else total + term
        opening = layout.is_step_event(x) if opens is None else layout.is_step_event(x) & opens(x)
        return if_(opening, total, 0)

    names = ["x", "t", *(f"f{step}" for step in range(1, n + 1))]
    arrays = [events, times, *(field(f"first_{step}") for step in range(1, n + 1))]
    levels.add(lengths=call("arrayMap", lam(length, *names), *arrays))
    levels.add(furthest=call("arrayMax", field("lengths")))
    levels.add(opening=call("indexOf", field("lengths"), field("furthest")))
    opening, start = field("opening"), times[field("opening")]
    firsts = [
        if_(
            field("furthest").gt(0) & inside(field(f"first_{step}")[opening], start), field(f"first_{step}")[opening], 0
        )
        for step in range(1, n + 1)
    ]
    levels.add(path=call("arraySort", call("arrayFilter", lam(lambda v: v.gt(0), "v"), array(*firsts))))
    path = field("path")
    if exclusions:
        between = lam(
            lambda x, t: layout.is_exclusion_event(x) & t.ge(path[1]) & t.le(path[-1]),
            "x",
            "t",
        )
        # PostHog keeps an unordered actor whose path an exclusion interrupts at step 1 (it entered the funnel).
        excluded = call("length", path).gt(1) & call("arrayExists", between, events, times)
        path = if_(excluded, call("arraySlice", path, 1, 1), path)
    return levels.finish(
        best=call("arrayMap", lam(lambda v: call("divide", call("toFloat64", v), MICROS), "v"), path),
        excluded=call("toUInt8", 0),
    )
