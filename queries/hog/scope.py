"""Compile-time scopes: every local gets a frame slot; variables that closures capture live in cells."""

from dataclasses import fields

from queries.hog import nodes as n
from queries.hog.errors import ALREADY_DECLARED, HogCompileError

FUNCTION_NODES = (n.FunctionDecl, n.Lambda)


def children(node):
    for item in fields(node):
        yield from _flatten(getattr(node, item.name))


def _flatten(value):
    if isinstance(value, n.Node | n.Catch):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)


def names_used(node, found: set[str]) -> set[str]:
    """Every name a subtree reads, writes or calls (a superset of what it captures)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, n.Field) and isinstance(current.chain[0], str):
            found.add(current.chain[0])
        elif isinstance(current, n.Call):
            found.add(current.name)
        elif isinstance(current, n.Tag):
            found.add(current.kind)
        stack.extend(children(current))
    return found


def captured_names(body) -> set[str]:
    """Names used inside functions nested in `body`: locals with these names are kept in cells."""
    found: set[str] = set()
    stack = list(body) if isinstance(body, list) else [body]
    while stack:
        current = stack.pop()
        if isinstance(current, FUNCTION_NODES):
            names_used(current, found)
        else:
            stack.extend(children(current))
    return found


# Nodes whose compiled closure evaluates its children inside a list comprehension (one more Python frame).
COMPREHENSION_NODES = (n.Call, n.ExprCall, n.ArrayLit, n.TupleLit, n.And, n.Or)


def frames(node) -> int:
    """The Python frames evaluating a subtree can stack up, stopping at nested functions (their calls are
    weighed on their own): one per node, two where children run inside a comprehension."""
    deepest = 0
    for child in children(node):
        if not isinstance(child, FUNCTION_NODES):
            deepest = max(deepest, frames(child))
    return deepest + (2 if isinstance(node, COMPREHENSION_NODES) else 1)


class FunctionScope:
    """One function's (or the program's) blocks of names -> (slot, is_cell), and what it captures."""

    def __init__(self, parent: "FunctionScope | None", body):
        self.parent = parent
        self.blocks: list[dict[str, tuple[int, bool]]] = [{}]
        self.size = 1  # slot 0 holds the closure's captured cells
        self.captured = captured_names(body)
        self.upvalues: dict[str, int] = {}
        self.sources: list[tuple[str, int]] = []

    def push(self) -> None:
        self.blocks.append({})

    def pop(self) -> None:
        self.blocks.pop()

    def declare(self, name: str) -> tuple[int, bool]:
        block = self.blocks[-1]
        if name in block:
            raise HogCompileError(ALREADY_DECLARED.format(name=name))
        slot = self.size
        self.size += 1
        block[name] = (slot, name in self.captured)
        return block[name]

    def local(self, name: str) -> tuple[int, bool] | None:
        for block in reversed(self.blocks):
            if name in block:
                return block[name]
        return None

    def resolve(self, name: str) -> tuple[str, int, bool] | None:
        """("local", slot, is_cell), ("upvalue", index, True), or None for a global."""
        found = self.local(name)
        if found is not None:
            return ("local", found[0], found[1])
        if name in self.upvalues:
            return ("upvalue", self.upvalues[name], True)
        if self.parent is None:
            return None
        outer = self.parent.resolve(name)
        if outer is None:
            return None
        kind, index, is_cell = outer
        if not is_cell:  # pragma: no cover - captured_names is a superset of what nested functions use
            raise HogCompileError(f"Internal error: {name} is not captured")
        self.upvalues[name] = len(self.sources)
        self.sources.append((kind, index))
        return ("upvalue", self.upvalues[name], True)
