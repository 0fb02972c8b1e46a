"""The fast path of plain ordered funnels (no exclusions, optional steps or per-event masks): one integer per
event and vectorised array functions instead of a fold, which ClickHouse runs element by element.

Each event is packed into a UInt64: milliseconds since the epoch in the high bits, then an n-bit key. Bit n-k of
the key is clear when the event matches step k (1-based). Sorting the integers orders events by time and, at the
same millisecond, puts events matching earlier steps first (the generous order PostHog's UDF picks).

For such funnels the UDF's result has a closed form (spec §3.9): from every entry (a step-1 event) the path takes,
for each next step, the first later event matching it inside the window; the actor reached the longest such
path, and the path reported (for conversion times) is the one completing that step first, the latest entry on ties.
"""

from queries.runners.funnels.expr import X, array, call, field, if_, lam, not_, select


def packed_event(steps: int, conditions: list[X]) -> X:
    mask = None
    for step, condition in enumerate(conditions, start=1):
        bit = if_(condition, 1 << (steps - step), 0)
        mask = bit if mask is None else mask + bit
    key = call("bitXor", call("toUInt64", mask), (1 << steps) - 1)
    milliseconds = call("toUInt64", call("toUnixTimestamp64Milli", field("timestamp")))
    return call("bitOr", call("bitShiftLeft", milliseconds, steps), key)


def matches_any_step(steps: int, packed: X) -> X:
    low = (1 << steps) - 1
    return call("bitAnd", packed, low).ne(low)


def has_step(steps: int, packed: X, step: int) -> X:
    return not_(call("bitTest", packed, steps - step))


def milliseconds(steps: int, packed: X) -> X:
    return call("bitShiftRight", packed, steps)


def best_path_levels(steps: int, window_seconds: int, source, carry: list[str], exclusive_steps: bool = False):
    """SELECTs, innermost first, adding the reported path `best` (seconds) to each actor of `source`.

    `source` has the sorted, packed `events` and the `carry` columns; `exclusive_steps` says no event matches two
    steps. Step by step over aligned arrays, without nested lambdas (ClickHouse runs those element by element),
    and one SELECT per intermediate array so each is analysed once:
    1. `reached_k[j]`: the entry time of the path event j moves to step k, or 0. An event reaches step k from the
       latest event before it that reached step k-1, when inside that path's window.
    2. The first event reaching the furthest step names the reported entry; each step's time is the first event
       that reached that step from that entry.
    """
    window_ms = window_seconds * 1000
    kept = [field(name) for name in carry]
    events, times = field("events"), field("times")
    first_reached = call("arrayMap", lam(lambda x, t: if_(has_step(steps, x, 1), t, 0), "x", "t"), events, times)
    query = select(
        [*kept, events, call("arrayMap", lam(lambda x: milliseconds(steps, x), "x"), events).alias("times")], source
    )
    query = select([*kept, events, times, first_reached.alias("reached_1")], query)
    columns = ["events", "times", "reached_1"]
    for step in range(2, steps + 1):
        latest = call("arrayFill", lam(lambda v: v.gt(0), "v"), field(f"reached_{step - 1}"))
        # The latest path strictly before each event; when no event matches two steps, "at or before" is the same.
        before = (
            latest
            if exclusive_steps
            else call("arrayResize", call("arrayPushFront", latest, 0), call("length", latest))
        )

        def moved(x: X, t: X, entry: X, step=step) -> X:
            inside = has_step(steps, x, step) & entry.gt(0) & (t - entry).le(window_ms)
            return if_(inside, entry, 0)

        reached = call("arrayMap", lam(moved, "x", "t", "e"), events, times, before).alias(f"reached_{step}")
        query = select([*kept, *(field(c) for c in columns), reached], query)
        columns.append(f"reached_{step}")
    # arrayRemove/indexOf rather than lambdas: the same answers, and every lambda adds to ClickHouse's analysis.
    firsts = [
        call("arrayElement", call("arrayRemove", field(f"reached_{step}"), 0), 1).alias(f"first_{step}")
        for step in range(1, steps + 1)
    ]
    query = select([*kept, *(field(c) for c in columns), *firsts], query)
    branches: list = []
    for step in range(steps, 1, -1):
        branches += [field(f"first_{step}").gt(0), field(f"first_{step}")]
    entry = call("multiIf", *branches, field("first_1")).alias("entry")
    firsts_fields = [field(f"first_{step}") for step in range(1, steps + 1)]
    query = select([*kept, *(field(c) for c in columns), *firsts_fields, entry], query)
    path = []
    for step in range(1, steps + 1):
        index = call("indexOf", field(f"reached_{step}"), field("entry"))
        seconds = call("divide", call("toFloat64", times[index]), 1000)
        path.append(if_(field(f"first_{step}").gt(0) & index.gt(0), seconds, -1.0))
    best = call("arrayRemove", array(*path), -1.0).alias("best")
    return select([*kept, best, call("toUInt8", 0).alias("excluded")], query)
