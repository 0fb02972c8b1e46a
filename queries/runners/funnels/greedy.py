"""The fast path of plain ordered funnels (no exclusions, optional steps or per-event masks): one integer per
event and vectorised array functions instead of a fold, which ClickHouse runs element by element.

Each event is packed into a UInt64: milliseconds since the epoch in the high bits, then an n-bit key. Bit n-k of
the key is clear when the event matches step k (1-based). Sorting the integers orders events by time and, at the
same millisecond, puts events matching earlier steps first (the generous order PostHog's UDF picks).

For such funnels the UDF's result has a closed form (spec §3.9): from every entry (a step-1 event) the path takes,
for each next step, the first later event matching it inside the window; the actor reached the longest such
path, and the path reported (for conversion times) is the one completing that step first, the latest entry on ties.
"""

from queries.runners.funnels.expr import X, call, field, if_, not_
from queries.runners.funnels.vectorised import Levels, reached_levels, reported_entry, reported_path


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
    and one SELECT per intermediate array so each is analysed once: the "latest path" arrays `reached_k` of
    vectorised.reached_levels, then the first event reaching the furthest step names the reported entry, and each
    step's time is the first event that reached that step from that entry (vectorised.reported_path). Times are
    milliseconds, read from the packed events where needed.
    """
    levels = Levels(source, carry, ["events"])

    def time_of(x: X) -> X:
        return milliseconds(steps, x)

    reached_levels(
        levels, steps, lambda x, step: has_step(steps, x, step), time_of, window_seconds * 1000, exclusive_steps
    )
    levels.add(entry=reported_entry(steps))
    return levels.finish(best=reported_path(steps, time_of, 1000), excluded=call("toUInt8", 0))
