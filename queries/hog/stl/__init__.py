"""The standard library (spec §8) without network functions: `build(ctx)` -> {name: Native}."""

from queries.hog.errors import ARITY_AT_LEAST, ARITY_AT_MOST, ARITY_EXACTLY, HogError
from queries.hog.values import Closure


class Native:
    """A library function: its Python implementation, its arity, and its value as a Hog function."""

    __slots__ = ("name", "function", "min_args", "max_args", "exact", "closure")

    def __init__(self, name: str, function, min_args: int, max_args: int | None, exact: bool = False):
        self.name = name
        self.function = function
        self.min_args = min_args
        self.max_args = max_args
        self.exact = exact
        self.closure = Closure(name, max_args or 0, self.invoke, builtin=True)

    def arity_error(self, count: int) -> str | None:
        if self.exact and count != self.min_args:
            return ARITY_EXACTLY.format(name=self.name, count=self.min_args)
        if count < self.min_args:
            return ARITY_AT_LEAST.format(name=self.name, count=self.min_args)
        if self.max_args is not None and count > self.max_args:
            return ARITY_AT_MOST.format(name=self.name, count=self.max_args)
        return None

    def invoke(self, args: list):
        problem = self.arity_error(len(args))
        if problem is not None:
            raise HogError(problem)
        return self.function(*args)


def build(ctx) -> dict[str, Native]:
    from queries.hog.stl import collections, core, crypto, dates, json_functions, strings

    library: dict[str, Native] = {}
    for module in (core, strings, collections, json_functions, dates, crypto):
        for name, spec in module.functions(ctx).items():
            function, min_args, max_args, *rest = spec
            library[name] = Native(name, function, min_args, max_args, exact=bool(rest and rest[0]))
    return library


def names() -> list[str]:
    """Every library function name (for documentation and tests)."""
    from queries.hog.runtime import Limits, Runtime

    return sorted(build(Runtime(Limits())))
