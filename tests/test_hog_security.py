"""Hostile Hog programs: each is stopped with its message, never hangs the worker or crashes the process, and no
program reaches a Python object, attribute, file, module or another project's data."""

import sys
import time

import pytest

from queries.hog import Limits, execute
from queries.hog.compile_expr import MAX_INTEGER_BITS
from queries.hog.errors import (
    INTEGER_TOO_LARGE,
    MAX_DEPTH,
    MAX_RUN_CALLS,
    MAX_STDOUT,
    MAX_STEPS,
    PROGRAM_TOO_DEEP,
    RESULT_TOO_DEEP,
    TEXT_TOO_LARGE,
)
from queries.hog.execute import RECURSION_MESSAGE
from queries.hog.parse import MAX_BRACKET_NESTING, MAX_NESTING
from queries.hog.results import MAX_DEPTH as MAX_RESULT_DEPTH
from queries.hog.values import MAX_PRINT_DEPTH, MAX_TEXT_BYTES

SMALL = Limits(max_steps=200_000, memory_bytes=4 * 1024 * 1024)


def error_of(code: str, limits: Limits = SMALL, **kwargs) -> str:
    outcome = execute(code, limits=limits, single_line_rewrite=False, **kwargs)
    assert outcome.stdout is None, outcome.results
    assert outcome.results.startswith("ERROR: ")
    return outcome.error


@pytest.mark.parametrize(
    "code",
    [
        "while (true) { }",
        "let i := 0\nwhile (true) { i := i + 1 }",
        "for (;;) { }",
        "fun f() { while (true) { } }\nf()",
        "let xs := range(1000)\nfor (let x in xs) { for (let y in xs) { for (let z in xs) { } } }",
        "arrayMap(x -> arrayMap(y -> arrayMap(z -> z, range(1000)), range(1000)), range(1000))",
    ],
)
def test_endless_loops_stop_at_the_step_limit(code):
    assert error_of(code) == MAX_STEPS.format(limit=SMALL.max_steps)


def test_endless_loop_stops_at_the_wall_clock_with_posthogs_message():
    started = time.monotonic()
    message = error_of("while (true) { }", Limits(timeout_seconds=0.3, max_steps=10**12))

    assert time.monotonic() - started < 3
    assert message.startswith("Runtime exceeded 0.3 seconds after ") and message.endswith(" operations")


def test_sleep_is_capped_by_the_time_left():
    started = time.monotonic()
    message = error_of("sleep(100)\nprint(1)", Limits(timeout_seconds=0.3))

    assert time.monotonic() - started < 3
    assert message.startswith("Runtime exceeded 0.3 seconds")


@pytest.mark.parametrize(
    "code",
    [
        "fun f(n) { return f(n + 1) }\nreturn f(0)",
        "fun f(n) { return 1 + f(n + 1) * 2 }\nreturn f(0)",
        "fun a(n) { fun b(m) { return a(m) }\nreturn b(n) }\nreturn a(1)",
        "let f := x -> x\nfun g(n) { return arrayMap(x -> g(x), [n])[1] }\nreturn g(1)",
        "fun f(n) { try { return f(n + 1) } catch (e) { return 0 } }\nreturn f(0)",
    ],
)
def test_unbounded_recursion_stops_at_the_call_depth_limit(code):
    assert error_of(code) == MAX_DEPTH.format(limit=Limits().max_depth)


def test_recursion_just_under_the_depth_limit_works_without_python_recursion_errors():
    code = "fun total(n) { if (n == 0) { return 0 }\nreturn n + total(n - 1) }\nreturn total(990)"

    assert sys.getrecursionlimit() == 1000  # deep Hog recursion never needed a higher Python limit
    assert execute(code).results == 990 * 991 // 2


def test_deep_recursion_through_library_callbacks_works():
    code = "fun down(n) { if (n == 0) { return 0 }\nreturn arrayMap(x -> x + down(n - 1), [n])[1] }\nreturn down(400)"

    assert execute(code).results == 400 * 401 // 2


@pytest.mark.parametrize(
    "code",
    [
        "let s := 'x'\nwhile (true) { s := s || s }",
        "let s := 'x'\nwhile (true) { s := s + s }",
        "let s := 'x'\nwhile (true) { s := concat(s, s, s) }",
        "let s := 'x'\nwhile (true) { s := f'{s}{s}' }",
        "return 'x' * 1000000000000",
        "return [1] * 100000000000",
        "return range(1000000000000)",
        "let s := 'xxxxxxxxxxxxxxxx' * 10000\nreturn replaceAll(s, '', s)",
        "let a := [1]\nwhile (true) { a := a + a }",
        "let d := {}\nlet i := 0\nwhile (true) { d[i] := 'y' * 10000; i := i + 1 }",
        "let a := []\nwhile (true) { a := arrayPushBack(a, 'z' * 100000) }",
    ],
)
def test_growing_memory_stops_at_the_memory_limit_with_posthogs_message(code):
    message = error_of(code, Limits(memory_bytes=4 * 1024 * 1024, max_steps=10**9))

    assert message.startswith("Memory limit of 4194304 bytes exceeded. Attempted to use ")


# One 1 MB dict referenced 200 times: 1 MB of memory, 200 MB of text.
SHARED = (
    "let d := {'k': 'x' * 1000000}\nlet a := []\nfor (let i := 0; i < 200; i := i + 1) { a := arrayPushBack(a, d) }\n"
)


@pytest.mark.parametrize(
    "code",
    [
        SHARED + "print(a)",
        SHARED + "return jsonStringify(a)",
        SHARED + "return a",
        "return arrayStringConcat(range(100000), 'x' * 1000000)",
        "return jsonStringify([[[[[[[[[[range(100000)]]]]]]]]]], 100000)",
    ],
)
def test_values_shared_many_times_cannot_print_into_gigabytes(code):
    assert error_of(code, Limits(max_steps=10**9)) == TEXT_TOO_LARGE.format(limit=MAX_TEXT_BYTES)


def test_growing_integers_stop_before_arithmetic_gets_slow():
    assert error_of("let x := 3\nwhile (true) { x := x * x }") == INTEGER_TOO_LARGE.format(bits=MAX_INTEGER_BITS)


def test_printing_without_end_stops_at_the_output_limit():
    limits = Limits(max_stdout_bytes=10_000, max_steps=10**9)

    assert error_of("while (true) { print('flood') }", limits) == MAX_STDOUT.format(limit=10_000)


def test_run_in_a_loop_stops_at_the_run_call_limit():
    calls = []

    def run_hogql(query, seconds_left):
        calls.append(query)
        return {"results": [[1]]}

    message = error_of("while (true) { run('select 1') }", run_hogql=run_hogql)

    assert message == MAX_RUN_CALLS.format(limit=SMALL.max_run_calls)
    assert len(calls) == SMALL.max_run_calls


def test_run_only_reaches_hogql_through_the_callback():
    seen = []

    def run_hogql(query, seconds_left):
        seen.append(query)
        return {"results": [["own"]]}

    outcome = execute("return run('select event from events where team_id = 2')", run_hogql=run_hogql)

    assert outcome.results == [["own"]] and seen == ["select event from events where team_id = 2"]
    assert execute("return run('select 1')").results == []


@pytest.mark.parametrize(
    "code",
    [
        "let a := []\nfor (let i := 0; i < 10000; i := i + 1) { a := [a] }\nreturn a",
        "let a := []\nfor (let i := 0; i < 10000; i := i + 1) { a := [a] }\nprint(a)",
        "let a := []\nfor (let i := 0; i < 10000; i := i + 1) { a := [a] }\nreturn jsonStringify(a)",
        "let a := []\nfor (let i := 0; i < 10000; i := i + 1) { a := [a] }\nreturn concat(a)",
    ],
)
def test_deeply_nested_values_are_refused_not_a_python_recursion_error(code):
    assert error_of(code) in (
        RESULT_TOO_DEEP.format(limit=MAX_PRINT_DEPTH),
        RESULT_TOO_DEEP.format(limit=MAX_RESULT_DEPTH),
    )


def test_deeply_nested_source_is_refused_before_it_runs():
    deep = "return " + "[" * (MAX_BRACKET_NESTING + 1) + "]" * (MAX_BRACKET_NESTING + 1)
    chained = "let x := 1\nreturn " + " + ".join(["x"] * (MAX_NESTING + 10))

    assert error_of(deep) == PROGRAM_TOO_DEEP.format(limit=MAX_BRACKET_NESTING)
    assert error_of(chained) == PROGRAM_TOO_DEEP.format(limit=MAX_NESTING)


def test_regular_expressions_run_in_linear_time():
    started = time.monotonic()
    outcome = execute("return ('a' * 50000 || '!') =~ '(a+)+$'")

    assert outcome.results is False
    assert time.monotonic() - started < 2


def test_cyclic_values_print_null_and_compare_with_an_error_not_a_crash():
    cyclic = execute("let a := {}\na.self := a\nprint(a)\nreturn a")
    compared = execute("let a := {}\na.self := a\nlet b := {}\nb.self := b\nreturn a == b")

    assert cyclic.stdout == "{'self': null}" and cyclic.results == {"self": None}
    assert compared.error == RECURSION_MESSAGE


PYTHON_ACCESS = [
    "let f := x -> x\nreturn f.__globals__",
    "let f := x -> x\nreturn f['__globals__']",
    "let f := x -> x\nreturn f?.__closure__",
    "let f := x -> x\nreturn f.__code__.co_consts",
    "return print.__class__",
    "return print.__self__",
    "return toString.__module__",
    "return ''.__class__",
    "return 'abc'['__class__']",
    "return [].__class__.__bases__",
    "return (1, 2).__class__",
    "return (1).__class__",
    "return true.__class__",
    "return null.__class__.__mro__",
    "return Error('x').__class__",
    "let f := x -> x\nf.__globals__ := {}\nreturn f",
    "let s := 'a'\ns.__class__ := 1",
    "return __import__('os')",
    "return eval('1')",
    "return exec('1')",
    "return open('/etc/passwd')",
    "return getattr(print, '__globals__')",
    "return globals()",
    "return __builtins__",
    "return `__class__`",
    "return typeof(print)['__class__']",
    "return keys(print)",
    "return values(x -> x)",
    "return jsonStringify(print)",
    "return toString(x -> x)",
    "return arrayMap(x -> x.__class__, [1])",
    "return {}.__class__",
    "return {'a': 1}.__dict__",
    "let d := {}\nreturn d.items",
    "return toDateTime('2024-01-01').__class__",
]


@pytest.mark.parametrize("code", PYTHON_ACCESS)
def test_python_objects_and_attributes_are_unreachable(code):
    outcome = execute(code)
    text = str(outcome.results)

    assert outcome.results is None or isinstance(outcome.results, int | float | str | list | dict)
    for leak in ("<function", "<built-in", "<class", "<module", "object at 0x", "__main__", "root:"):
        assert leak not in text, (code, text)


def test_runtime_errors_are_not_catchable_by_try():
    code = "try { return undefinedThing } catch (e) { return 'caught' }"

    assert execute(code, single_line_rewrite=False).results == "ERROR: Global variable not found: undefinedThing"


OTHER_PROJECT_MARKERS = ("SECRET-other", "mallory", "secret_event")


@pytest.mark.usefixtures("clickhouse")
def test_run_cannot_read_another_projects_events(owner_client, client, world):
    from tests.query_helpers import capture_events, run_query

    capture_events(client, world.team, [("$pageview", "alice", {"marker": "own"}, "2024-06-01T10:00:00Z")])
    capture_events(client, world.other_team, [("secret_event", "mallory", {"marker": "SECRET-other"},
                                               "2024-06-01T10:00:00Z")])  # fmt: skip
    other = world.other_team.id
    attempts = [
        "return run('select event, distinct_id, properties from events')",
        f"return run('select * from events where team_id = {other}')",
        f"return run('select event from events where team_id = {other} or 1 = 1')",
        "return run('select event from (select * from events) where event = \\'secret_event\\'')",
        "return run('select a.event from events a join events b on a.uuid = b.uuid')",
        "return run('select distinct_id from person_distinct_ids')",
        "return run('select properties from persons')",
        f"let q := concat('select event from events where team_id = ', toString({other}))\nreturn run(q)",
        "return run('select event from events union all select event from events')",
        "return run('select * from system.tables')",
        "return run('select * from events settings readonly = 0')",
    ]
    for code in attempts:
        response = run_query(owner_client, world.team.id, {"kind": "HogQuery", "code": code})
        assert response.status_code == 200, (code, response.json())
        text = str(response.json())
        for marker in OTHER_PROJECT_MARKERS:
            assert marker not in text, (code, text)


def test_a_slow_host_callback_past_the_deadline_ends_the_program_and_its_thread():
    import threading

    from queries.hog import execute as hog_execute

    release = threading.Event()

    def slow_run_hogql(query, seconds_left):
        release.wait(1)
        return {"results": []}

    before = threading.active_count()
    started = time.monotonic()
    outcome = hog_execute("return run('select 1')", run_hogql=slow_run_hogql, limits=Limits(timeout_seconds=0.2))

    assert outcome.error.startswith("Runtime exceeded 0.2 seconds")
    assert time.monotonic() - started < 4
    release.set()
    time.sleep(0.6)
    assert threading.active_count() <= before
