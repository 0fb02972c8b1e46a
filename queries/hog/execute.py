"""Running a Hog program: single-line rewrite, parse, compile to closures, run on a fresh thread with limits."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from queries.hog import stl
from queries.hog.compiler import CALL_FRAMES, Compiler
from queries.hog.errors import HogError, HogThrow
from queries.hog.parse import parse_program, rewrite_single_line
from queries.hog.results import to_json_data
from queries.hog.runtime import Host, Limits, Runtime, start_thread
from queries.hog.scope import frames
from queries.hog.values import error_text

# How long the caller waits past the deadline for a program stuck inside one long native operation.
GRACE_SECONDS = 2.0
RECURSION_MESSAGE = "Maximum call depth exceeded"


@dataclass
class HogResult:
    results: Any  # JSON data: the returned value, or "ERROR: <message>"
    stdout: str | None  # print lines joined by newlines; None when the program failed
    error: str | None = None
    steps: int = 0
    seconds: float = 0.0  # compiling and running (parsing excluded)


def execute(
    code: str | None,
    *,
    run_hogql: Callable[[str, float], dict] | None = None,
    limits: Limits | None = None,
    parse_json: Callable[[str], str] | None = None,
    single_line_rewrite: bool = True,
) -> HogResult:
    """Runs `code` and answers its result; never raises for the program's faults.

    `run_hogql(query, seconds_left)` answers `run()` with a dict holding `results`; it runs on the calling
    thread. Without it `run()` returns `[]` (no project).
    """
    limits = limits or Limits()
    text = rewrite_single_line(code or "") if single_line_rewrite else (code or "")
    try:
        program = parse_program(text, parse_json)
    except HogError as error:
        return failed(original_error(code or "", text, parse_json) or error.message)
    host = Host()
    ctx = Runtime(limits, run_hogql=run_hogql, host=host)

    def guest():
        ctx.started = time.monotonic()
        try:
            library = stl.build(ctx)
            main, size = Compiler(ctx, library).program(program)
            frame = [None] * size
            frame[0] = ()
            ctx.frames.append(frame)
            ctx.weight = max((frames(node) for node in program.body), default=0) + CALL_FRAMES
            returned = main(frame)
            value = None if returned is None else returned[0]
            host.finish((True, to_json_data(value)))
        except BaseException as error:  # every failure becomes the program's error text
            host.finish((False, error_message(error, ctx)))

    start_thread(guest)
    outcome = host.serve(ctx.deadline + GRACE_SECONDS)
    seconds = time.monotonic() - ctx.started
    if outcome is None:
        ctx.cancelled = True  # the thread stops at its next check
        return failed(ctx.timeout_message(), ctx.steps, seconds)
    ok, value = outcome
    if not ok:
        return failed(value, ctx.steps, seconds)
    return HogResult(value, "\n".join(ctx.stdout), None, ctx.steps, seconds)


def original_error(code: str, rewritten: str, parse_json) -> str | None:
    """A syntax error in a rewritten one-liner is reported for the text as written (`1 +`, not `1 +;`)."""
    if code.strip() == rewritten:
        return None
    try:
        parse_program(code.strip(), parse_json)
    except HogError as error:
        return error.message
    return None


def failed(message: str, steps: int = 0, seconds: float = 0.0) -> HogResult:
    return HogResult(f"ERROR: {message}", None, message, steps, seconds)


def error_message(error: BaseException, ctx: Runtime) -> str:
    if isinstance(error, HogThrow):
        return error_text(error.value)
    if isinstance(error, HogError):
        return error.message
    if isinstance(error, RecursionError):
        return RECURSION_MESSAGE
    if isinstance(error, MemoryError):
        from queries.hog.errors import MEMORY

        return MEMORY.format(limit=ctx.limits.memory_bytes, used=ctx.limits.memory_bytes + 1)
    if isinstance(error, KeyError):
        return f"Key not found: {error.args[0]!r}" if error.args else "Key not found"
    return str(error) or type(error).__name__
