"""EventsQuery: the events table as the data table shows it (select list, filters, time window, paging)."""

from datetime import UTC, datetime, timedelta

import orjson

from persons.models import PersonDistinctId
from queries.clickhouse.elements import chain_to_elements
from queries.dates import relative_date_parse
from queries.hogql import ast
from queries.hogql.actions import action_to_expr
from queries.hogql.builders import and_all, datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.execute import execute_select
from queries.hogql.parser import parse_expr
from queries.hogql.printer import DEFAULT_LIMIT, MAX_LIMIT
from queries.hogql.property import property_to_expr
from queries.hogql.visitor import is_aggregate
from queries.runners.base import QueryRunner
from queries.runners.common.series import action_for

STAR_FIELDS = ("uuid", "event", "properties", "timestamp", "team_id", "distinct_id", "elements_chain", "created_at")


def strip_label(text: str) -> str:
    """`expr -- label` selects `expr`; the label only names the column in the UI."""
    return text.split(" -- ", 1)[0].strip()


def parse_order(text: str) -> ast.OrderExpr:
    words = text.strip().rsplit(None, 1)
    if len(words) == 2 and words[1].upper() in ("ASC", "DESC"):
        return ast.OrderExpr(parse_expr(words[0]), words[1].upper())
    return ast.OrderExpr(parse_expr(text), "ASC")


class EventsQueryRunner(QueryRunner):
    kind = "EventsQuery"

    def time_bound(self, value: str | None, default: str | None) -> datetime | None:
        text = value or default
        if text is None or text == "all":
            return None
        return relative_date_parse(text, self.team.timezone)

    def where(self) -> list[ast.Expr]:
        query = self.query
        conditions: list[ast.Expr] = []
        before = self.time_bound(query.before, None) or datetime.now(UTC) + timedelta(seconds=5)
        conditions.append(ast.CompareOperation("<", ast.Field(["timestamp"]), datetime_constant(before)))
        after = self.time_bound(query.after, "-24h")
        if after is not None:
            conditions.append(ast.CompareOperation(">", ast.Field(["timestamp"]), datetime_constant(after)))
        if query.event:
            conditions.append(ast.CompareOperation("==", ast.Field(["event"]), ast.Constant(query.event)))
        if query.events:
            events = ast.Tuple([ast.Constant(e) for e in query.events])
            conditions.append(ast.CompareOperation("in", ast.Field(["event"]), events))
        if query.actionId is not None:
            action = action_for(self.team, query.actionId)
            if action is None:
                raise QueryError(f"Action {query.actionId} does not exist.")
            conditions.append(action_to_expr(action.steps))
        if query.personId:
            person = ast.Call("toUUID", [ast.Constant(str(query.personId))])
            conditions.append(ast.CompareOperation("==", ast.Field(["person_id"]), person))
        for filters in (query.properties, query.fixedProperties):
            if filters:
                conditions.append(property_to_expr(filters))
        if query.filterTestAccounts and self.team.test_account_filters:
            conditions.append(property_to_expr(self.team.test_account_filters))
        return conditions

    def select_exprs(self) -> list[tuple[str, list[ast.Expr]]]:
        """For each requested column: its kind ('star', 'person', 'expr') and the expressions it selects."""
        columns: list[tuple[str, list[ast.Expr]]] = []
        for text in self.query.select:
            expr_text = strip_label(text)
            if expr_text == "*":
                columns.append(("star", [ast.Field([name]) for name in STAR_FIELDS]))
            elif expr_text in ("person", "person_display_name"):
                columns.append((expr_text, [ast.Field(["distinct_id"]), ast.Field(["person_id"])]))
            else:
                expr = parse_expr(expr_text)
                # `count() as total`: the column is named by the select string; the SQL needs no second alias.
                columns.append(("expr", [expr.expr if isinstance(expr, ast.Alias) else expr]))
        return columns

    def calculate(self) -> dict:
        query = self.query
        columns = self.select_exprs()
        flat = [expr for _, exprs in columns for expr in exprs]
        aggregating = any(is_aggregate(e) for e in flat)
        where = self.where()
        having: list[ast.Expr] = []
        for text in query.where or []:
            expr = parse_expr(text)
            (having if is_aggregate(expr) else where).append(expr)
        group_by = [e for e in flat if not is_aggregate(e)] if aggregating else None
        limit = min(MAX_LIMIT, query.limit or DEFAULT_LIMIT)
        offset = query.offset or 0
        node = ast.SelectQuery(
            select=[ast.Alias(f"c{i}", e) for i, e in enumerate(flat)],
            select_from=ast.JoinExpr(table=ast.Field(["events"])),
            where=and_all(where),
            having=and_all(having) if having else None,
            group_by=group_by or None,
            order_by=self.order_by(flat, aggregating),
            limit=ast.Constant(limit + 1),
            offset=ast.Constant(offset) if offset else None,
        )
        result = execute_select(
            node, self.print_context(), default_limit=limit + 1, max_limit=MAX_LIMIT + 1, query_tag=self.query_tag
        )
        rows = result.results[:limit]
        persons = self.persons_for(rows, columns)
        results = [self.shape_row(row, columns, persons) for row in rows]
        types = []
        position = 0
        for kind, exprs in columns:
            types.append(result.types[position][1] if kind == "expr" else "Tuple")
            position += len(exprs)
        return {
            "results": results,
            "columns": list(query.select),
            "types": types,
            "hogql": result.hogql,
            "hasMore": len(result.results) > limit,
            "limit": limit,
            "offset": offset,
            "timings": result.timings,
        }

    def order_by(self, flat: list[ast.Expr], aggregating: bool) -> list[ast.OrderExpr]:
        if self.query.orderBy:
            return [parse_order(text) for text in self.query.orderBy]
        for expr in flat:
            if isinstance(expr, ast.Call) and expr.name == "count" and not expr.args:
                return [ast.OrderExpr(expr, "DESC")]
        for expr in flat:
            if is_aggregate(expr):
                return [ast.OrderExpr(expr, "DESC")]
        if not aggregating and any(isinstance(e, ast.Field) and e.chain == ["timestamp"] for e in flat):
            return [ast.OrderExpr(ast.Field(["timestamp"]), "DESC")]
        return [ast.OrderExpr(flat[0], "ASC")] if flat else []

    def persons_for(self, rows: list[list], columns) -> dict:
        if not any(kind in ("person", "person_display_name") for kind, _ in columns):
            return {}
        distinct_ids = set()
        position = 0
        for kind, exprs in columns:
            if kind in ("person", "person_display_name"):
                distinct_ids |= {row[position] for row in rows}
            position += len(exprs)
        mappings = PersonDistinctId.objects.filter(team__project_id=self.team.project_id, distinct_id__in=distinct_ids)
        return {m.distinct_id: m.person for m in mappings.select_related("person")}

    def shape_row(self, row: list, columns, persons: dict) -> list:
        shaped = []
        position = 0
        for kind, exprs in columns:
            values = row[position : position + len(exprs)]
            position += len(exprs)
            if kind == "star":
                event = dict(zip(STAR_FIELDS, values, strict=True))
                event["uuid"] = str(event["uuid"])
                event["properties"] = orjson.loads(event["properties"]) if event["properties"] else {}
                event["elements"] = chain_to_elements(event["elements_chain"])
                shaped.append(event)
            elif kind in ("person", "person_display_name"):
                distinct_id = values[0]
                person = persons.get(distinct_id)
                if kind == "person":
                    shaped.append(
                        {
                            "uuid": str(person.uuid) if person else str(values[1]),
                            "created_at": person.created_at.isoformat() if person else None,
                            "properties": person.properties if person else {},
                            "distinct_id": distinct_id,
                        }
                    )
                else:
                    properties = person.properties if person else {}
                    name = next((properties[k] for k in ("email", "name", "username") if properties.get(k)), None)
                    shaped.append(
                        {"display_name": name or distinct_id, "id": str(person.uuid if person else values[1])}
                    )
            else:
                shaped.append(values[0])
        return shaped
