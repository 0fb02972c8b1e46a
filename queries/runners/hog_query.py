"""HogQuery: a Hog program run by the interpreter in `queries.hog`; its `run()` executes HogQL in the project.

PostHog answers HogQuery synchronously with no cache, async or refresh handling, so `run()` here ignores the
execution mode and computes every time (also for saved insights).
"""

from queries.clickhouse import client
from queries.clickhouse.client import ClickHouseQueryError
from queries.hog import execute
from queries.hog.errors import PARSE_TIMEOUT, HogError
from queries.hogql import parse_worker
from queries.hogql.errors import ExposedHogQLError
from queries.hogql.execute import QUERY_SETTINGS, print_select
from queries.hogql.parser import parse_select
from queries.runners.base import QueryRunner

HOGQL_FAILED = "HogQL query failed: {message}"
# hogql-parser needs seconds for some programs (long operator chains); the worker is shared, so this stays short.
PARSE_TIMEOUT_SECONDS = 3.0


def parse_in_worker(code: str) -> str:
    """The parser's JSON for a program, parsed in the time-limited worker process (as HogQL is)."""
    try:
        return parse_worker.parse("program", code, PARSE_TIMEOUT_SECONDS)
    except parse_worker.ParseTimeout:
        raise HogError(PARSE_TIMEOUT) from None


class HogQueryRunner(QueryRunner):
    kind = "HogQuery"

    def run(self, mode: str = "blocking", query_id: str | None = None) -> dict:
        return self.calculate()

    def calculate(self) -> dict:
        outcome = execute(self.query.code, run_hogql=self.run_hogql, parse_json=parse_in_worker)
        return {"results": outcome.results, "bytecode": None, "coloredBytecode": None, "stdout": outcome.stdout}

    def run_hogql(self, query: str, seconds_left: float) -> dict:
        """`run(query)`: the HogQL path of HogQLQuery (team guard, allow-listed functions, limits), with
        ClickHouse's time limit cut to what is left of the program's."""
        try:
            node = parse_select(query)
            context = self.print_context()
            sql = print_select(node, context)
            settings = {**QUERY_SETTINGS, "max_execution_time": max(1, min(60, int(seconds_left) + 1))}
            result = client.query(sql, parameters=context.parameters, settings=settings, tag=self.query_tag)
        except ExposedHogQLError as error:
            raise HogError(HOGQL_FAILED.format(message=error.message)) from None
        except ClickHouseQueryError as error:
            first_line = str(error).split("\n", 1)[0]
            raise HogError(HOGQL_FAILED.format(message=first_line[:500])) from None
        return {"results": [list(row) for row in result.result_rows]}
