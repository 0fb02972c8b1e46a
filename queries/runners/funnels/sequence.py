"""Per-actor funnel evaluation: how far one actor got, and when (spec §3.9).

The ordered and strict evaluation mirrors PostHog's `aggregate_funnel` UDF with an `arrayFold` over the actor's
events sorted by time. The accumulator is `(paths, best, excluded)`:
- `paths[k]` holds the step timestamps of the latest partial path that reached step k (1-based), entry first; a
  skipped optional step is stored as -1. Empty while step k has not been reached.
- `best` is the path that first reached the furthest step. It is updated one event late (its final value comes
  from the returned accumulator through `best_of`), because a fold lambda cannot name an intermediate value.
- `excluded` is 1 once an exclusion event fell inside the window of an unfinished path; the actor is dropped.
Each event is `ev = (timestamp in seconds, step mask, ...)`. Bit k-1 of the mask says the event matches step k
(1-based); bit EXCLUSION_BIT_OFFSET+k says it is an exclusion that interrupts paths heading to step k. An integer
mask keeps the per-actor arrays flat, which is what makes this as fast as `windowFunnel`.
"""

from dataclasses import dataclass, field

from queries.runners.funnels.expr import X, all_of, any_of, array, call, const, if_, lam, not_, tuple_

EXCLUSION_BIT_OFFSET = 31
STEP_BITS = (1 << 32) - 1


def has_step(mask: X, step: int) -> X:
    return call("bitTest", mask, step - 1)


def has_exclusion(mask: X, step: int) -> X:
    return call("bitTest", mask, EXCLUSION_BIT_OFFSET + step)


def is_step_event(mask: X) -> X:
    return call("bitAnd", mask, STEP_BITS).gt(0)


def is_exclusion_event(mask: X) -> X:
    return call("bitShiftRight", mask, 32).gt(0)


def empty_path() -> X:
    return call("arrayResize", array(call("toFloat64", 0)), 0)


@dataclass
class Shape:
    """What the evaluation needs to know about a funnel."""

    steps: int
    window_seconds: int
    order: str  # ordered | strict | unordered
    optional: set[int] = field(default_factory=set)  # 0-based optional steps
    exclusion_steps: set[int] = field(default_factory=set)  # 1-based steps an exclusion can interrupt
    attribution_step: int | None = None  # 1-based step whose event must carry the evaluated breakdown value
    variant_prop: X | None = None  # the breakdown value being evaluated
    prop_index: int | None = None  # position of the breakdown value in `ev`
    variant_period: X | None = None  # the entrance period being evaluated (funnel trends)
    period_index: int | None = None  # position of the entrance period in `ev`


def best_of(state: X, steps: int) -> X:
    """The furthest path of an accumulator: `best`, or a longer path reached by the last event.

    Path k has k entries, so "the highest non-empty path, if longer than best" is a chain of conditions; it is
    spelled out without a lambda because ClickHouse analyses every nested lambda of the fold again.
    """
    branches: list[X] = []
    for step in range(steps, 0, -1):
        branches += [call("notEmpty", state.t(1)[step]) & call("length", state.t(2)).lt(step), state.t(1)[step]]
    return call("multiIf", *branches, state.t(2))


def predecessors(shape: Shape, step: int) -> list[int]:
    """1-based steps a path may come from to reach `step`: the previous one, and past optional steps."""
    candidates = [step - 1]
    while candidates[-1] > 1 and (candidates[-1] - 1) in shape.optional:
        candidates.append(candidates[-1] - 1)
    return candidates


class _Fold:
    def __init__(self, shape: Shape, acc: X, ev: X):
        self.shape, self.acc, self.ev = shape, acc, ev

    def path(self, step: int) -> X:
        return self.acc.t(1)[step]

    def match(self, step: int) -> X:
        shape, ev = self.shape, self.ev
        parts = [has_step(ev.t(2), step)]
        if shape.attribution_step == step and shape.variant_prop is not None:
            assert shape.prop_index is not None  # set together with variant_prop
            parts.append(ev.t(shape.prop_index).eq(shape.variant_prop))
        if step == 1 and shape.variant_period is not None:
            assert shape.period_index is not None  # set together with variant_period
            parts.append(ev.t(shape.period_index).eq(shape.variant_period))
        return all_of(*parts)

    def in_window(self, source: int, target: int) -> X:
        """A path at `source` whose entry is within the window and has not reached `target` from that entry."""
        entry = self.path(source)[1]
        return all_of(
            call("notEmpty", self.path(source)),
            (self.ev.t(1) - entry).le(self.shape.window_seconds),
            not_(call("notEmpty", self.path(target)) & self.path(target)[1].eq(entry)),
        )

    def step_path(self, step: int) -> X:
        otherwise = empty_path() if self.shape.order == "strict" else self.path(step)
        if step == 1:
            same = call("notEmpty", self.path(1)) & self.path(1)[1].eq(self.ev.t(1))
            return if_(self.match(1), if_(same, self.path(1), array(self.ev.t(1))), otherwise)
        branches: list[X] = []
        for source in predecessors(self.shape, step):
            skipped = [-1.0] * (step - 1 - source)
            if skipped:
                advanced = call("arrayConcat", self.path(source), array(*skipped), array(self.ev.t(1)))
            else:
                advanced = call("arrayPushBack", self.path(source), self.ev.t(1))
            branches += [self.in_window(source, step), advanced]
        return if_(self.match(step), call("multiIf", *branches, self.path(step)), otherwise)

    def excluded(self) -> X:
        hits = [
            has_exclusion(self.ev.t(2), step) & self.in_window(step - 1, step)
            for step in sorted(self.shape.exclusion_steps)
        ]
        return any_of(*hits) if hits else const(0)

    def next_state(self) -> X:
        n = self.shape.steps
        paths = array(*(self.step_path(step) for step in range(1, n + 1)))
        flag = if_(self.excluded(), call("toUInt8", 1), call("toUInt8", 0))
        advanced = tuple_(paths, best_of(self.acc, n), flag)
        finished = self.acc.t(3).eq(1) | call("notEmpty", self.path(n))
        return if_(finished, self.acc, advanced)


def chains(mask: X, shape: Shape) -> X:
    """The event matches a step and one it can be reached from (two consecutive steps, say): a repeat of it can
    move a path one step further than the event before it did."""
    parts = []
    for step in range(2, shape.steps + 1):
        sources = predecessors(shape, step)
        bits = sum(1 << (source - 1) for source in sources)
        parts.append(has_step(mask, step) & call("bitAnd", mask, bits).gt(0))
    return any_of(*parts) if parts else const(0)


def without_repeats(events: X, shape: Shape) -> X:
    """The events that can change an ordered or strict evaluation: in a run of events with the same step mask,
    only the last one when they only enter the funnel (a later entry is never worse), else only the first one
    (the repeats find the path already advanced, or already reset), unless the mask chains steps (see `chains`).

    Neighbours come from shifted copies of the masks: a lambda capturing the whole array would copy it per element.
    """
    masks = call("arrayMap", lam(lambda x: x.t(2), "x"), events)
    previous = call("arrayResize", call("arrayPushFront", masks, 0), call("length", masks))
    following = call("arrayPopFront", call("arrayPushBack", masks, 0))

    def kept(x: X, before: X, after: X) -> X:
        entering_again = x.t(2).eq(1) & after.eq(x.t(2))
        repeated = not_(has_step(x.t(2), 1)) & before.eq(x.t(2)) & not_(chains(x.t(2), shape))
        return not_(entering_again | repeated)

    return call("arrayFilter", lam(kept, "x", "before", "after"), events, previous, following)


def ordered_state(shape: Shape, events: X) -> X:
    """`(paths, best, excluded)` after folding the actor's sorted events (ordered and strict funnels)."""
    initial = tuple_(
        call("arrayMap", lam(lambda _i: empty_path(), "i"), call("range", shape.steps)),
        empty_path(),
        call("toUInt8", 0),
    )
    step = lam(lambda acc, ev: _Fold(shape, acc, ev).next_state(), "acc", "ev")
    return call("arrayFold", step, events, initial)


def unordered_state(shape: Shape, events: X) -> X:
    """`(paths, best, excluded)` of an unordered funnel, shaped like the ordered accumulator.

    Every step event may open a window; the steps done inside it are the distinct steps matched between the
    opening event and the end of the window, each at its first matching time. The window with the most steps
    wins (the earliest on ties). An exclusion event between the first and last step of that path cuts the path
    back to its first step (PostHog counts the actor as entered, not converted).
    """
    n, window = shape.steps, shape.window_seconds

    def opens(a: X) -> X:
        parts = [is_step_event(a.t(2))]
        if shape.variant_period is not None:
            assert shape.period_index is not None  # set together with variant_period
            parts.append(a.t(shape.period_index).eq(shape.variant_period))
        return all_of(*parts)

    def window_path(a: X) -> X:
        firsts = [
            call(
                "arrayFirst",
                lam(lambda x, s=step: all_of(has_step(x.t(2), s), x.t(1).ge(a.t(1)), x.t(1).le(a.t(1) + window)), "x"),
                events,
            ).t(1)
            for step in range(1, n + 1)
        ]
        return call("arraySort", call("arrayFilter", lam(lambda t: t.gt(0), "t"), array(*firsts)))

    windows = call("arrayMap", lam(window_path, "a"), call("arrayFilter", lam(opens, "a"), events))
    best = call("arraySort", lam(lambda p: tuple_(const(0) - call("length", p), p[1]), "p"), windows)[1]

    def shaped(b: X) -> X:
        inside = lam(lambda x: all_of(is_exclusion_event(x.t(2)), x.t(1).ge(b[1]), x.t(1).le(b[-1])), "x")
        interrupted = call("length", b).gt(1) & call("arrayExists", inside, events)
        return tuple_(array(empty_path()), if_(interrupted, call("arraySlice", b, 1, 1), b), call("toUInt8", 0))

    return call("arrayMap", lam(shaped, "b"), array(best))[1]
