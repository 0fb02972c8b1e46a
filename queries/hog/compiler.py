"""Statements and functions -> Python closures. A statement closure returns None, or `(value,)` for `return`."""

from time import monotonic

from queries.hog import nodes as n
from queries.hog.access import set_property
from queries.hog.compile_expr import MAX_ARGUMENTS, ExprCompiler
from queries.hog.errors import (
    CANNOT_ASSIGN,
    CANNOT_THROW,
    MAX_DEPTH,
    NOT_DECLARED,
    TOO_MANY_ARGUMENTS,
    TOO_MANY_ARGUMENTS_AT_ALL,
    TRY_NEEDS_CATCH,
    UNSUPPORTED_SYNTAX,
    HogCompileError,
    HogError,
    HogThrow,
)
from queries.hog.runtime import SEGMENT_WEIGHT, Runtime
from queries.hog.scope import FunctionScope, frames
from queries.hog.values import Cell, Closure, is_error, truthy

# Python frames a call costs beyond its body's frames (call site, argument list, invoke, block).
CALL_FRAMES = 4


class Compiler(ExprCompiler):
    def __init__(self, ctx: Runtime, stl: dict):
        self.ctx = ctx
        self.stl = stl
        self.scope = FunctionScope(None, [])  # replaced by program()

    def program(self, program: n.Program):
        """The program as `main(frame)` and the frame size it needs."""
        self.scope = FunctionScope(None, program.body)
        body = self.statements(program.body)
        return body, self.scope.size

    # ---- variables ---------------------------------------------------------------------------------------

    def variable_getter(self, name: str):
        found = self.scope.resolve(name)
        if found is None:
            return None
        kind, index, is_cell = found
        if kind == "upvalue":
            return lambda f: f[0][index].v
        if is_cell:
            return lambda f: f[index].v
        return lambda f: f[index]

    def variable_setter(self, name: str):
        found = self.scope.resolve(name)
        if found is None:
            raise HogCompileError(NOT_DECLARED.format(name=name))
        kind, index, is_cell = found
        if kind == "upvalue":

            def set_upvalue(f, value):
                f[0][index].v = value

            return set_upvalue
        if is_cell:

            def set_cell(f, value):
                f[index].v = value

            return set_cell

        def set_local(f, value):
            f[index] = value

        return set_local

    def declare(self, name: str):
        """Declares `name` in the current block; returns `init(frame, value)` that creates the variable."""
        index, is_cell = self.scope.declare(name)
        if is_cell:

            def init_cell(f, value):
                f[index] = Cell(value)

            return init_cell

        def init_local(f, value):
            f[index] = value

        return init_local

    # ---- statements --------------------------------------------------------------------------------------

    def statement(self, node):
        method = getattr(self, "s_" + type(node).__name__, None)
        if method is None:
            raise HogCompileError(UNSUPPORTED_SYNTAX.format(node=type(node).__name__))
        return method(node)

    def statements(self, nodes: list):
        """A block's statements as one closure; every statement is a step."""
        compiled = [self.statement(node) for node in nodes]
        ctx = self.ctx
        if len(compiled) == 1:
            (only,) = compiled

            def single(f):
                ctx.steps += 1
                if ctx.steps > ctx.check_at:
                    ctx.check()
                return only(f)

            return single

        def block(f):
            for statement in compiled:
                ctx.steps += 1
                if ctx.steps > ctx.check_at:
                    ctx.check()
                result = statement(f)
                if result is not None:
                    return result
            return None

        return block

    def s_Block(self, node):
        self.scope.push()
        try:
            return self.statements(node.body)
        finally:
            self.scope.pop()

    def s_ExprStmt(self, node):
        expr = self.expr(node.expr)

        def expression(f):
            expr(f)

        return expression

    def s_VarDecl(self, node):
        value = self.expr(node.expr) if node.expr is not None else (lambda f: None)
        init = self.declare(node.name)

        def declaration(f):
            init(f, value(f))

        return declaration

    def s_Assign(self, node):
        target, value = node.target, self.expr(node.value)
        if isinstance(target, n.Field) and len(target.chain) == 1 and isinstance(target.chain[0], str):
            found = self.scope.resolve(target.chain[0])
            if found is not None and found[0] == "local" and not found[2]:
                index = found[1]

                def assign_local(f):
                    f[index] = value(f)

                return assign_local
            setter = self.variable_setter(target.chain[0])

            def assign(f):
                setter(f, value(f))

            return assign
        if isinstance(target, n.Field) and len(target.chain) > 1:
            base = self.expr(n.Field(target.chain[:-1]))
            last = target.chain[-1]
            key = lambda f: last  # noqa: E731
        elif isinstance(target, n.Access):
            base, key = self.expr(target.base), self.expr(target.key)
        else:
            raise HogCompileError(CANNOT_ASSIGN)

        def assign_property(f):
            obj = base(f)
            set_property(obj, key(f), value(f))

        return assign_property

    def s_Return(self, node):
        if node.expr is None:
            return lambda f: (None,)
        value = self.expr(node.expr)
        return lambda f: (value(f),)

    def s_Throw(self, node):
        value = self.expr(node.expr)

        def throw(f):
            error = value(f)
            if not is_error(error):
                raise HogError(CANNOT_THROW)
            raise HogThrow(error)

        return throw

    def s_If(self, node):
        cond, then = self.expr(node.cond), self.statement(node.then)
        if node.else_ is None:
            return lambda f: then(f) if truthy(cond(f)) else None
        other = self.statement(node.else_)
        return lambda f: then(f) if truthy(cond(f)) else other(f)

    def s_While(self, node):
        cond, body, ctx = self.expr(node.cond), self.statement(node.body), self.ctx

        def loop(f):
            while True:
                ctx.steps += 1
                if ctx.steps > ctx.check_at:
                    ctx.check()
                test = cond(f)
                if test is not True and (test is False or not truthy(test)):
                    return None
                result = body(f)
                if result is not None:
                    return result

        return loop

    def s_For(self, node):
        self.scope.push()
        try:
            init = self.statement(node.init) if node.init is not None else (lambda f: None)
            cond = self.expr(node.cond) if node.cond is not None else (lambda f: True)
            step = self.statement(node.step) if node.step is not None else (lambda f: None)
            body = self.statement(node.body)
        finally:
            self.scope.pop()
        ctx = self.ctx

        def loop(f):
            init(f)
            while True:
                ctx.steps += 1
                if ctx.steps > ctx.check_at:
                    ctx.check()
                test = cond(f)
                if test is not True and (test is False or not truthy(test)):
                    return None
                result = body(f)
                if result is not None:
                    return result
                step(f)

        return loop

    def s_ForIn(self, node):
        collection = self.expr(node.expr)
        self.scope.push()
        try:
            set_key = self.declare(node.key) if node.key else None
            set_value = self.declare(node.value)
            body = self.statement(node.body)
        finally:
            self.scope.pop()
        ctx = self.ctx

        def loop(f):
            keys, values = iteration(collection(f))
            for index, item in enumerate(values):
                ctx.steps += 1
                if ctx.steps > ctx.check_at:
                    ctx.check()
                if set_key is not None:
                    set_key(f, keys[index])
                set_value(f, item)
                result = body(f)
                if result is not None:
                    return result
            return None

        return loop

    def s_TryCatch(self, node):
        if not node.catches:
            raise HogCompileError(TRY_NEEDS_CATCH)
        body = self.statement(node.body)
        catches = []
        for catch in node.catches:
            self.scope.push()
            try:
                init = self.declare(catch.var) if catch.var else None
                catches.append((catch.type, init, self.statement(catch.body)))
            finally:
                self.scope.pop()

        def try_catch(f):
            try:
                return body(f)
            except HogThrow as thrown:
                error = thrown.value
                for type_, init, handler in catches:
                    if type_ is None or type_ == error.get("type"):
                        if init is not None:
                            init(f, error)
                        return handler(f)
                raise

        return try_catch

    def s_FunctionDecl(self, node):
        # Declared before its body compiles, so the body can call itself (it captures its own cell).
        init = self.declare(node.name)
        setter = self.variable_setter(node.name)
        make = self.function(node.name, node.params, node.body, expression_body=False)

        def declare_function(f):
            init(f, None)
            setter(f, make(f))

        return declare_function

    # ---- functions ---------------------------------------------------------------------------------------

    def function(self, name: str, params: list[str], body_node, expression_body: bool):
        """`make(frame) -> Closure` capturing the cells the body uses from enclosing functions."""
        outer = self.scope
        self.scope = scope = FunctionScope(outer, [body_node])
        try:
            param_inits = [scope.declare(p) for p in params]
            if expression_body:
                expr = self.expr(body_node)
                body = lambda f: (expr(f),)  # noqa: E731
            else:
                # A block body is its own scope: a `let` there may shadow a parameter.
                body = self.statement(body_node)
        finally:
            self.scope = outer
        size, count, sources, ctx = scope.size, len(params), scope.sources, self.ctx
        active_frames, max_depth = ctx.frames, ctx.limits.max_depth
        cell_params = [slot for slot, is_cell in param_inits if is_cell]
        weight = frames(body_node) + CALL_FRAMES

        def make(f):
            cells = tuple([f[index] if kind == "local" else f[0][index] for kind, index in sources])

            def invoke(args):
                passed = len(args)
                if passed > count:
                    if passed > MAX_ARGUMENTS:
                        raise HogError(TOO_MANY_ARGUMENTS_AT_ALL)
                    raise HogError(TOO_MANY_ARGUMENTS.format(passed=passed, expected=count))
                frame = [None] * size
                frame[0] = cells
                frame[1 : 1 + passed] = args
                for slot in cell_params:
                    frame[slot] = Cell(frame[slot])
                # Inlined (no helper call): every call is a step, checks the clock, and goes one level deeper.
                ctx.steps += 1
                if ctx.steps > ctx.check_at or monotonic() > ctx.deadline:
                    ctx.check()
                depth = ctx.depth
                if depth >= max_depth:
                    raise HogError(MAX_DEPTH.format(limit=max_depth))
                ctx.depth = depth + 1
                active_frames.append(frame)
                outer = ctx.weight
                try:
                    if outer + weight > SEGMENT_WEIGHT:
                        # This thread has used its share of Python frames: continue on a fresh one.
                        ctx.weight = weight
                        result = ctx.on_new_thread(body, frame)
                    else:
                        ctx.weight = outer + weight
                        result = body(frame)
                finally:
                    ctx.depth = depth
                    ctx.weight = outer
                    active_frames.pop()
                return None if result is None else result[0]

            return Closure(name, count, invoke, cells)

        return make


def iteration(collection) -> tuple[list, list]:
    """`for ... in` snapshots: (keys, values); arrays and tuples have 0-based keys, strings and null none."""
    kind = type(collection)
    if kind is dict:
        return list(collection.keys()), list(collection.values())
    if kind is list or kind is tuple:
        return list(range(len(collection))), list(collection)
    return [], []
