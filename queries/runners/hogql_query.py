"""HogQLQuery: the user's SQL, parsed, guarded to the project, run read-only."""

from functools import cached_property

from queries.dates import relative_date_parse
from queries.hogql import ast
from queries.hogql.builders import and_all
from queries.hogql.execute import execute_select
from queries.hogql.parser import parse_select
from queries.hogql.printer import DEFAULT_LIMIT
from queries.hogql.property import property_to_expr
from queries.runners.base import QueryRunner


class HogQLQueryRunner(QueryRunner):
    kind = "HogQLQuery"

    @cached_property
    def filters_bounds(self) -> dict:
        filters = self.query.filters
        bounds = {}
        date_range = getattr(filters, "dateRange", None) if filters else None
        if date_range is not None:
            for key, value in (("dateRange.from", date_range.date_from), ("dateRange.to", date_range.date_to)):
                if value and value != "all":
                    bounds[key] = relative_date_parse(value, self.team.timezone)
        return bounds

    def filters_expr(self) -> ast.Expr:
        """`{filters}`: the query's property filters, date range and test-account filters, AND-ed."""
        filters = self.query.filters
        parts: list[ast.Expr] = []
        bounds = self.filters_bounds
        if "dateRange.from" in bounds:
            start = ast.Constant(bounds["dateRange.from"].isoformat())
            parts.append(ast.CompareOperation(">=", ast.Field(["timestamp"]), ast.Call("toDateTime", [start])))
        if "dateRange.to" in bounds:
            end = ast.Constant(bounds["dateRange.to"].isoformat())
            parts.append(ast.CompareOperation("<", ast.Field(["timestamp"]), ast.Call("toDateTime", [end])))
        if filters is not None and filters.properties:
            parts.append(property_to_expr(filters.properties))
        if filters is not None and filters.filterTestAccounts and self.team.test_account_filters:
            parts.append(property_to_expr(self.team.test_account_filters))
        return and_all(parts)

    def calculate(self) -> dict:
        node = parse_select(self.query.query)
        values = dict(self.query.values or {})
        variables = {v.code_name: v.value for v in (self.query.variables or {}).values() if v.code_name}
        context = self.print_context(
            values=values, filters=self.filters_expr, filter_bounds=self.filters_bounds, variables=variables
        )
        paginate = isinstance(node, ast.SelectQuery) and node.limit is None
        default_limit = DEFAULT_LIMIT + 1 if paginate else DEFAULT_LIMIT
        result = execute_select(node, context, default_limit=default_limit, query_tag=self.query_tag)
        response = {
            "results": result.results,
            "columns": result.columns,
            "types": [list(t) for t in result.types],
            "hogql": result.hogql,
            "clickhouse": result.clickhouse,
            "query": self.query.query,
            "timings": result.timings,
            "error": None,
        }
        if paginate:
            response["hasMore"] = len(result.results) > DEFAULT_LIMIT
            response["results"] = result.results[:DEFAULT_LIMIT]
            response["limit"] = DEFAULT_LIMIT
            response["offset"] = 0
        return response
