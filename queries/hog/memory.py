"""PostHog's memory cost model applied to the live values of a run: 8 bytes a value, strings add their length,
containers add their contents. Shared containers count once; the walk is iterative (no recursion)."""

from queries.hog.values import Cell, Closure


def live_bytes(frames: list, extra=None) -> int:
    total = 0
    seen: set[int] = set()
    stack = [extra]
    for frame in frames:
        stack.extend(frame)
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            total += 8 + len(value)
            continue
        if value is None or kind in (int, float, bool):
            total += 8
            continue
        if id(value) in seen:
            continue
        seen.add(id(value))
        total += 8
        if kind is list or kind is tuple:
            stack.extend(value)
        elif kind is dict:
            stack.extend(value.keys())
            stack.extend(value.values())
        elif kind is Cell:
            stack.append(value.v)
        elif kind is Closure:
            stack.extend(value.cells)
    return total
