"""Expressions -> Python closures `f(frame) -> value`, with fast paths for the common operators."""

from queries.hog import nodes as n
from queries.hog.access import get_property
from queries.hog.errors import (
    ARRAY_ACCESS_FROM_ONE,
    COHORT_UNSUPPORTED,
    GLOBAL_NOT_FOUND,
    INTEGER_TOO_LARGE,
    TOO_MANY_ARGUMENTS_AT_ALL,
    UNSUPPORTED_CALL,
    UNSUPPORTED_SYNTAX,
    HogCompileError,
    HogError,
)
from queries.hog.operators import COMPARISONS, divide, equals, greater_or_equal, less_or_equal, modulo
from queries.hog.values import Closure, truthy

MAX_INTEGER_BITS = 65_536
MAX_ARGUMENTS = 300
SIZED = (str, list, tuple, dict)


def _raise(message: str):
    def fail(f):
        raise HogError(message)

    return fail


class ExprCompiler:
    """Mixed into the Compiler, which provides `ctx`, `scope`, `stl`, `function()` and `variable_getter()`."""

    def expr(self, node):
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:
            raise HogCompileError(UNSUPPORTED_SYNTAX.format(node=type(node).__name__))
        return method(node)

    def e_Const(self, node):
        value = node.value
        return lambda f: value

    def e_Field(self, node):
        name, rest = node.chain[0], node.chain[1:]
        getter = self.variable_getter(name) if isinstance(name, str) else None
        if getter is None:
            if name in self.stl:
                value = self.stl[name].closure
                getter = lambda f: value  # noqa: E731
            else:
                getter = _raise(GLOBAL_NOT_FOUND.format(name=name))
        for key in rest:
            if key == 0 and type(key) is int:
                raise HogCompileError(ARRAY_ACCESS_FROM_ONE)
            getter = self._get(getter, lambda f, key=key: key)
        return getter

    @staticmethod
    def _get(base, key):
        return lambda f: get_property(base(f), key(f))

    def e_Access(self, node):
        if isinstance(node.key, n.Const) and node.key.value == 0 and type(node.key.value) is int:
            raise HogCompileError(ARRAY_ACCESS_FROM_ONE)
        return self._get(self.expr(node.base), self.expr(node.key))

    def e_ArrayLit(self, node):
        items, ctx = [self.expr(item) for item in node.items], self.ctx
        if not items:
            return lambda f: []

        def array(f):
            value = [item(f) for item in items]
            ctx.alloc(8 * len(value))
            return value

        return array

    def e_TupleLit(self, node):
        items = [self.expr(item) for item in node.items]
        return lambda f: tuple([item(f) for item in items])

    def e_DictLit(self, node):
        items, ctx = [(self.expr(k), self.expr(v)) for k, v in node.items], self.ctx

        def dictionary(f):
            value = {}
            for key, item in items:
                try:
                    value[key(f)] = item(f)
                except TypeError as error:
                    raise HogError(str(error)) from None
            ctx.alloc(16 * len(value))
            return value

        return dictionary

    def e_And(self, node):
        exprs = [self.expr(e) for e in node.exprs]
        # Hog evaluates every operand (no short-circuit) and answers a boolean.
        return lambda f: all([truthy(e(f)) for e in exprs])

    def e_Or(self, node):
        exprs = [self.expr(e) for e in node.exprs]
        return lambda f: any([truthy(e(f)) for e in exprs])

    def e_Not(self, node):
        inner = self.expr(node.expr)
        return lambda f: not truthy(inner(f))

    def e_Between(self, node):
        value, low, high = self.expr(node.expr), self.expr(node.low), self.expr(node.high)
        if node.negated:
            return lambda f: not _between(value(f), low(f), high(f))
        return lambda f: _between(value(f), low(f), high(f))

    def e_BinaryOp(self, node):
        if node.op in ("in cohort", "not in cohort"):
            cohort = node.right.value if isinstance(node.right, n.Const) else "?"
            raise HogCompileError(COHORT_UNSUPPORTED.format(cohort=cohort))
        left, right, op = self.expr(node.left), self.expr(node.right), node.op
        maker = BINARY_MAKERS.get(op)
        if maker is not None:
            return maker(left, right, self.ctx)
        compare = COMPARISONS.get(op)
        if compare is None:
            raise HogCompileError(UNSUPPORTED_SYNTAX.format(node=f"operator {op}"))
        return lambda f: compare(left(f), right(f))

    def e_Lambda(self, node):
        return self.function("lambda", node.params, node.body, expression_body=not isinstance(node.body, n.Block))

    def e_ExprCall(self, node):
        callee, args, call = self.expr(node.callee), [self.expr(a) for a in node.args], self.ctx.call
        return lambda f: call(callee(f), [a(f) for a in args])

    def e_Call(self, node):
        if node.params is not None:
            inner = self.e_Call(n.Call(node.name, node.params))
            args, call = [self.expr(a) for a in node.args], self.ctx.call
            return lambda f: call(inner(f), [a(f) for a in args])
        getter = self.variable_getter(node.name)
        args = [self.expr(a) for a in node.args]
        if getter is not None:
            call = self.ctx.call

            def call_variable(f):
                function = getter(f)
                if function.__class__ is Closure:
                    return function.invoke([a(f) for a in args])
                return call(function, [a(f) for a in args])

            return call_variable
        special = getattr(self, "special_" + node.name, None) if node.name in SPECIAL_FORMS else None
        if special is not None:
            return special(args)
        native = self.stl.get(node.name)
        if native is None:
            return _raise(UNSUPPORTED_CALL.format(name=node.name))
        if len(args) > MAX_ARGUMENTS:
            return _raise(TOO_MANY_ARGUMENTS_AT_ALL)
        problem = native.arity_error(len(args))
        if problem is not None:
            return _raise(problem)
        return self.native_call(native.function, args)

    def native_call(self, function, args):
        alloc = self.ctx.alloc

        def counted(result):
            if result.__class__ in SIZED:
                alloc(len(result) if result.__class__ is str else 8 * len(result), result)
            return result

        if len(args) == 0:
            return lambda f: counted(function())
        if len(args) == 1:
            (a,) = args
            return lambda f: counted(function(a(f)))
        if len(args) == 2:
            a, b = args
            return lambda f: counted(function(a(f), b(f)))
        return lambda f: counted(function(*[a(f) for a in args]))

    # Lazy forms: only the chosen branch runs.
    def special_if(self, args):
        cond, then = args[0], args[1]
        other = args[2] if len(args) > 2 else (lambda f: None)
        return lambda f: then(f) if truthy(cond(f)) else other(f)

    def special_multiIf(self, args):
        pairs = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
        default = args[-1] if len(args) % 2 else (lambda f: None)

        def multi_if(f):
            for cond, value in pairs:
                if truthy(cond(f)):
                    return value(f)
            return default(f)

        return multi_if

    def special_ifNull(self, args):
        first, second = args[0], args[1]

        def if_null(f):
            value = first(f)
            return second(f) if value is None else value

        return if_null

    def e_Tag(self, node):
        attributes = [(name, self.expr(value) if value is not None else (lambda f: True))
                      for name, value in node.attributes]  # fmt: skip
        getter, call, kind = self.variable_getter(node.kind), self.ctx.call, node.kind

        def tag(f):
            values = {name: value(f) for name, value in attributes}
            if getter is not None:
                return call(getter(f), [values])
            return {"__hx_tag": kind, **values}

        return tag


SPECIAL_FORMS = {"if", "multiIf", "ifNull"}


def _between(value, low, high) -> bool:
    return greater_or_equal(value, low) and less_or_equal(value, high)


def _add(left, right, ctx):
    def add(f):
        a = left(f)
        b = right(f)
        if a.__class__ is int and b.__class__ is int:
            return a + b
        result = a + b
        if result.__class__ in SIZED:
            ctx.alloc(len(result) if result.__class__ is str else 8 * len(result), result)
        return result

    return add


def _sub(left, right, ctx):
    return lambda f: left(f) - right(f)


def _mul(left, right, ctx):
    def mul(f):
        a = left(f)
        b = right(f)
        if a.__class__ is int and b.__class__ is int:
            if a.bit_length() + b.bit_length() > MAX_INTEGER_BITS:
                raise HogError(INTEGER_TOO_LARGE.format(bits=MAX_INTEGER_BITS))
            return a * b
        if a.__class__ in SIZED and b.__class__ is int:
            ctx.alloc(max(0, b) * (len(a) if a.__class__ is str else 8 * len(a)))
        elif b.__class__ in SIZED and a.__class__ is int:
            ctx.alloc(max(0, a) * (len(b) if b.__class__ is str else 8 * len(b)))
        return a * b

    return mul


def _less(left, right, ctx):
    slow = COMPARISONS["<"]

    def compare(f):
        a = left(f)
        b = right(f)
        if a.__class__ is int and b.__class__ is int:
            return a < b
        return slow(a, b)

    return compare


def _less_or_equal(left, right, ctx):
    slow = COMPARISONS["<="]

    def compare(f):
        a = left(f)
        b = right(f)
        if a.__class__ is int and b.__class__ is int:
            return a <= b
        return slow(a, b)

    return compare


def _greater(left, right, ctx):
    slow = COMPARISONS[">"]

    def compare(f):
        a = left(f)
        b = right(f)
        if a.__class__ is int and b.__class__ is int:
            return a > b
        return slow(a, b)

    return compare


def _greater_or_equal(left, right, ctx):
    slow = COMPARISONS[">="]

    def compare(f):
        a = left(f)
        b = right(f)
        if a.__class__ is int and b.__class__ is int:
            return a >= b
        return slow(a, b)

    return compare


BINARY_MAKERS = {
    "+": _add,
    "-": _sub,
    "*": _mul,
    "/": lambda left, right, ctx: lambda f: divide(left(f), right(f)),
    "%": lambda left, right, ctx: lambda f: modulo(left(f), right(f)),
    "==": lambda left, right, ctx: lambda f: equals(left(f), right(f)),
    "<": _less,
    "<=": _less_or_equal,
    ">": _greater,
    ">=": _greater_or_equal,
}
