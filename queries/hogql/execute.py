"""Printing a HogQL SELECT for a project and running it read-only on ClickHouse."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from queries.clickhouse import client
from queries.hogql import ast
from queries.hogql.hogql_printer import to_hogql
from queries.hogql.printer import DEFAULT_LIMIT, MAX_LIMIT, ClickHousePrinter, PrintContext

# Every HogQL query runs read-only with bounded time and memory (PostHog's settings, trimmed to what applies).
QUERY_SETTINGS = {
    "readonly": 2,
    "max_execution_time": 60,
    "max_memory_usage": 8 * 1024**3,
    "max_ast_elements": 4_000_000,
    "max_expanded_ast_elements": 4_000_000,
    "max_result_rows": MAX_LIMIT + 1,
    "result_overflow_mode": "break",
    # PostHog's defaults for every query (spec exports-definitions-limits §3.2): 1 MiB of SQL at most, and no
    # GROUP BY spilling to disk.
    "max_query_size": 1_048_576,
    "max_bytes_before_external_group_by": 0,
    # Derives extra constant comparisons from AND chains; our generated filters never need them, and the pass
    # costs ~20 ms of analysis on the funnel runner's nested array expressions (measured with EXPLAIN QUERY TREE
    # passes=N on ClickHouse 26.9).
    "optimize_and_compare_chain": 0,
}

# What the date-ranged insight runners add (PrintContext.settings). The implicit minmax_count projection answers a
# count()/min()/max() from part metadata when the filters select whole parts (`SELECT count() FROM events`: 1.7 vs
# 5.0 ms on 10M events without it), but these statements always group into buckets or filter on more than the
# key, and weighing it still costs ~0.3 ms per statement: a quarter of a 7-day trend's fixed cost on 1M events
# (bench/run.py). Results are the same either way.
BUCKETED_QUERY_SETTINGS = {"optimize_use_implicit_projections": 0}


@dataclass(frozen=True)
class Statement:
    """A printed statement as it was sent: SQL, its server-side parameters and settings."""

    sql: str
    parameters: dict[str, Any]
    settings: dict[str, Any]


_recorded: ContextVar[list[Statement] | None] = ContextVar("recorded_statements", default=None)


@contextmanager
def recorded_statements() -> Iterator[list[Statement]]:
    """Collects every statement `execute_select` sends in this context (benchmarks replay a runner's SQL raw)."""
    statements: list[Statement] = []
    token = _recorded.set(statements)
    try:
        yield statements
    finally:
        _recorded.reset(token)


@dataclass
class HogQLResult:
    results: list[list[Any]]
    columns: list[str]
    types: list[tuple[str, str]]
    hogql: str
    clickhouse: str
    timings: list[dict] = field(default_factory=list)


def column_names(node: ast.SelectQuery | ast.SelectSetQuery) -> list[str]:
    """Result column names: aliases, a field's last name, else the expression as HogQL."""
    while isinstance(node, ast.SelectSetQuery):
        node = node.initial_select_query
    names = []
    for expr in node.select:
        if isinstance(expr, ast.Alias):
            names.append(expr.alias)
        elif isinstance(expr, ast.Field) and expr.chain != ["*"]:
            names.append(str(expr.chain[-1]))
        else:
            names.append(to_hogql(expr))
    return names


def with_column_aliases(node: ast.SelectQuery | ast.SelectSetQuery) -> ast.SelectQuery | ast.SelectSetQuery:
    """The top SELECT with each column aliased to its result name, so ClickHouse returns those names."""
    if isinstance(node, ast.SelectSetQuery):
        first = with_column_aliases(node.initial_select_query)
        return ast.SelectSetQuery(first, node.subsequent_select_queries, start=node.start, end=node.end)
    taken: set[str] = {e.alias for e in node.select if isinstance(e, ast.Alias)}
    select = []
    for expr, name in zip(node.select, column_names(node), strict=True):
        if isinstance(expr, ast.Alias) or (isinstance(expr, ast.Field) and expr.chain[-1] == "*") or name in taken:
            select.append(expr)
        else:
            taken.add(name)
            select.append(ast.Alias(name, expr, hidden=True))
    copy = ast.SelectQuery(**{**node.__dict__, "select": select})
    return copy


def print_select(node, context: PrintContext, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT) -> str:
    return ClickHousePrinter(context).print_top(with_column_aliases(node), default_limit, max_limit)


@dataclass(frozen=True)
class PrintedSelect:
    """A SELECT printed for a project: its SQL and parameters, the HogQL it was printed from, the print time."""

    sql: str
    parameters: dict[str, Any]
    hogql: str
    print_seconds: float


def print_statement(
    node: ast.SelectQuery | ast.SelectSetQuery,
    context: PrintContext,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
) -> PrintedSelect:
    started = time.perf_counter()
    sql = print_select(node, context, default_limit, max_limit)
    printed = time.perf_counter()
    return PrintedSelect(sql, dict(context.parameters), to_hogql(node), printed - started)


def execute_select(
    node: ast.SelectQuery | ast.SelectSetQuery,
    context: PrintContext,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
    query_tag: str | None = None,
) -> HogQLResult:
    printed = print_statement(node, context, default_limit, max_limit)
    return execute_printed(printed, context.settings, max_limit, query_tag)


def execute_printed(
    printed: PrintedSelect, settings: dict[str, Any], max_limit: int = MAX_LIMIT, query_tag: str | None = None
) -> HogQLResult:
    """Runs a printed SELECT read-only with QUERY_SETTINGS and the runner's own `settings`."""
    sql, parameters = printed.sql, printed.parameters
    # The result-row guard follows the caller's bound: a cohort saved from a query may list millions of persons.
    settings = {**QUERY_SETTINGS, **settings, "max_result_rows": max(max_limit, MAX_LIMIT) + 1}
    recording = _recorded.get()
    if recording is not None:
        recording.append(Statement(sql, dict(parameters), settings))
    started = time.perf_counter()
    result = client.query(sql, parameters=parameters, settings=settings, tag=query_tag)
    executed = time.perf_counter() - started
    columns = list(result.column_names)
    types = [(name, column_type.name) for name, column_type in zip(columns, result.column_types, strict=True)]
    if not columns:
        # The embedded engine sends no header for an empty result; ask for the columns it would have had.
        described = client.query(f"DESCRIBE ({sql})", parameters=parameters, settings=settings)
        types = [(row[0], row[1]) for row in described.result_rows]
        columns = [name for name, _ in types]
    return HogQLResult(
        results=[list(row) for row in result.result_rows],
        columns=columns,
        types=types,
        hogql=printed.hogql,
        clickhouse=sql,
        timings=[
            {"k": "./print", "t": round(printed.print_seconds, 6)},
            {"k": "./clickhouse_execute", "t": round(executed, 6)},
            {"k": ".", "t": round(printed.print_seconds + executed, 6)},
        ],
    )
