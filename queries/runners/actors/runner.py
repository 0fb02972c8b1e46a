"""ActorsQueryRunner: persons (or groups) as rows, optionally only those behind an insight's data point
(spec actors-cohorts §1). The source's actor ids come from the insight runner itself (`to_actors_query`), so the
persons listed for a data point are the ones its number counts."""

from typing import ClassVar

import orjson

from queries.hogql import ast
from queries.hogql.builders import and_all
from queries.hogql.errors import QueryError
from queries.hogql.execute import execute_select
from queries.hogql.parser import parse_expr, parse_select
from queries.hogql.printer import DEFAULT_LIMIT, MAX_LIMIT
from queries.hogql.property import property_to_expr
from queries.hogql.visitor import is_aggregate
from queries.runners.actors.enrich import DEFAULT_NAME_PROPERTIES, display_name, person_dicts
from queries.runners.base import QueryRunner
from queries.runners.events_query import parse_order, strip_label

INSIGHT_ACTORS_KINDS = ("InsightActorsQuery", "FunnelsActorsQuery", "StickinessActorsQuery")
ACTOR_COLUMNS = ("person", "actor", "group")
ID_COLUMN_NAMES = ("group_key", "actor_id", "person_id")
NO_ID_COLUMN = "Source query must have an id column"


def source_id_column(node: ast.SelectQuery | ast.SelectSetQuery) -> str:
    """The column of a source query holding the actor id (spec §1.7)."""
    while isinstance(node, ast.SelectSetQuery):
        node = node.initial_select_query
    names = []
    for expr in node.select:
        if isinstance(expr, ast.Alias):
            names.append(expr.alias)
        elif isinstance(expr, ast.Field) and isinstance(expr.chain[-1], str):
            names.append(expr.chain[-1])
    for name in names:
        if name in ID_COLUMN_NAMES:
            return name
    for name in names:
        if "id" in name:
            return name
    raise QueryError(NO_ID_COLUMN)


class ActorSource:
    """The actor subquery of an ActorsQuery's source, its id column and what kind of actors it lists."""

    def __init__(self, select: ast.SelectQuery | ast.SelectSetQuery, id_column: str, groups: bool, insight: str):
        self.select = select
        self.id_column = id_column
        self.groups = groups
        self.insight = insight

    @property
    def columns(self) -> list[str]:
        node = self.select
        while isinstance(node, ast.SelectSetQuery):
            node = node.initial_select_query
        return [e.alias if isinstance(e, ast.Alias) else str(getattr(e, "chain", [""])[-1]) for e in node.select]


class ActorsQueryRunner(QueryRunner):
    kind = "ActorsQuery"
    # {insight kind: runner class}, filled by the registry (the runners cannot be imported from here: a circle).
    insight_runners: ClassVar[dict[str, type]] = {}
    # The most rows one page may hold: the API's limit; a cohort saved from a query raises it.
    max_limit = MAX_LIMIT

    # ---- the source -----------------------------------------------------------------------------

    def insight_runner(self, source):
        runner_class = self.insight_runners.get(source.kind)
        if runner_class is None or not hasattr(runner_class, "to_actors_query"):
            raise QueryError(f"Cannot convert source query of type {source.kind} to persons query")
        runner = runner_class(source, self.team)
        runner.query_tag = self.query_tag
        return runner

    def source(self) -> ActorSource | None:
        node = self.query.source
        if node is None:
            return None
        if node.kind == "HogQLQuery":
            select = parse_select(node.query)
            return ActorSource(select, source_id_column(select), False, "HogQLQuery")
        if node.kind not in INSIGHT_ACTORS_KINDS:
            raise QueryError(f"Cannot convert source query of type {node.kind} to persons query")
        runner = self.insight_runner(node.source)
        select = runner.to_actors_query(node)
        return ActorSource(select, source_id_column(select), runner.actors_are_groups(node), node.source.kind)

    def team_settings_in_key(self, query: dict, text: str) -> dict:
        """Also the project settings the source insight reads (its test account filters, path cleaning, ...)."""
        settings = super().team_settings_in_key(query, text)
        node = self.query.source
        if node is not None and node.kind in INSIGHT_ACTORS_KINDS:
            runner = self.insight_runner(node.source)
            source = runner.query_dict()
            settings["source"] = runner.team_settings_in_key(source, orjson.dumps(source, default=str).decode())
        return settings

    # ---- columns ----------------------------------------------------------------------------------

    def default_select(self, source: ActorSource | None) -> list[str]:
        if source is not None and source.groups:
            return ["group"]
        if source is not None and source.insight == "TrendsQuery":
            return ["person", "id", "person.$delete", "event_distinct_ids"]
        return ["person", "id", "person.$delete"]

    def name_properties(self) -> list[str]:
        return list(self.team.person_display_name_properties or DEFAULT_NAME_PROPERTIES)

    def display_name_expr(self, source: ActorSource | None) -> ast.Expr:
        if source is not None and source.groups:
            return ast.Call("toString", [self.actor_id_expr(source)])
        names = [ast.Call("toString", [ast.Field(["properties", key])]) for key in self.name_properties()]
        return ast.Call("coalesce", [*names, ast.Call("toString", [ast.Field(["id"])])])

    def actor_id_expr(self, source: ActorSource | None) -> ast.Expr:
        if source is not None and source.groups:
            return ast.Field(["source", source.id_column])
        return ast.Field(["persons", "id"])

    def column_exprs(self, texts: list[str], source: ActorSource | None) -> list[tuple[str, ast.Expr]]:
        """(kind, expression) per column: `actor` columns are replaced by actor dicts after the query runs."""
        columns = []
        source_columns = source.columns if source is not None else []
        for text in texts:
            expr_text = strip_label(text)
            if expr_text in ACTOR_COLUMNS:
                columns.append(("actor", self.actor_id_expr(source)))
            elif expr_text == "person.$delete":
                columns.append(("expr", ast.Constant(1)))
            elif expr_text == "person_display_name":
                columns.append(("display_name", self.actor_id_expr(source)))
            elif expr_text == "matched_recordings":
                columns.append(("recordings", ast.Constant(0)))
            elif expr_text == "event_distinct_ids":
                if "event_distinct_ids" in source_columns:
                    columns.append(("expr", ast.Field(["source", "event_distinct_ids"])))
                else:
                    columns.append(("expr", ast.Array([])))
            else:
                expr = parse_expr(expr_text)
                columns.append(("expr", expr.expr if isinstance(expr, ast.Alias) else expr))
        return columns

    # ---- filters ----------------------------------------------------------------------------------

    def where(self, source: ActorSource | None) -> list[ast.Expr]:
        conditions: list[ast.Expr] = []
        if source is not None and source.groups:
            if self.query.search:
                pattern = ast.Constant(f"%{self.query.search}%")
                conditions.append(
                    ast.CompareOperation("ilike", ast.Call("toString", [self.actor_id_expr(source)]), pattern)
                )
            return conditions
        for filters in (self.query.properties, self.query.fixedProperties):
            if filters:
                conditions.append(property_to_expr(filters, scope="person"))
        if self.query.search:
            conditions.append(self.search_expr(self.query.search))
        return conditions

    def search_expr(self, search: str) -> ast.Expr:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = ast.Constant(f"%{escaped}%")
        by_distinct_id = ast.SelectQuery(
            select=[ast.Field(["person_id"])],
            select_from=ast.JoinExpr(table=ast.Field(["person_distinct_ids"])),
            where=ast.CompareOperation("ilike", ast.Field(["distinct_id"]), pattern),
        )
        return ast.Or(
            [
                ast.CompareOperation("ilike", ast.Call("toString", [ast.Field(["properties", "email"])]), pattern),
                ast.CompareOperation("ilike", ast.Call("toString", [ast.Field(["properties", "name"])]), pattern),
                ast.CompareOperation("ilike", ast.Call("toString", [ast.Field(["persons", "id"])]), pattern),
                ast.CompareOperation("in", ast.Field(["persons", "id"]), by_distinct_id),
            ]
        )

    def order_by(self, columns: list[tuple[str, ast.Expr]], source: ActorSource | None) -> list[ast.OrderExpr]:
        order = self.query.orderBy
        if order is not None:
            if [text.strip() for text in order] in (["person"], ["person ASC"], ["person DESC"], ["group"],
                                                     ["group ASC"], ["group DESC"]):  # fmt: skip
                direction = "DESC" if order[0].strip().endswith("DESC") else "ASC"
                return [ast.OrderExpr(self.display_name_expr(source), direction)]
            orders = []
            for text in order:
                expr_text = text.strip()
                if expr_text.startswith("person_display_name"):
                    direction = "DESC" if expr_text.upper().endswith("DESC") else "ASC"
                    orders.append(ast.OrderExpr(self.display_name_expr(source), direction))
                else:
                    orders.append(parse_order(expr_text))
            return orders
        exprs = [expr for _, expr in columns]
        for expr in exprs:
            if isinstance(expr, ast.Call) and expr.name == "count" and not expr.args:
                return [ast.OrderExpr(expr, "DESC")]
        for expr in exprs:
            if is_aggregate(expr):
                return [ast.OrderExpr(expr, "DESC")]
        if any(isinstance(e, ast.Field) and e.chain[-1] == "created_at" for e in exprs):
            return [ast.OrderExpr(ast.Field(["created_at"]), "DESC")]
        return [ast.OrderExpr(exprs[0], "ASC")] if exprs else []

    # ---- running ----------------------------------------------------------------------------------

    @property
    def limit(self) -> int:
        limit = self.query.limit
        return min(self.max_limit, limit if limit and limit > 0 else DEFAULT_LIMIT)

    def from_clause(self, source: ActorSource | None) -> ast.JoinExpr:
        if source is None:
            return ast.JoinExpr(table=ast.Field(["persons"]), alias="persons")
        source_join = ast.JoinExpr(table=source.select, alias="source")
        if source.groups:
            return source_join
        on = ast.CompareOperation("==", ast.Field(["persons", "id"]), ast.Field(["source", source.id_column]))
        source_join.join_type = "INNER JOIN"
        source_join.constraint = ast.JoinConstraint(on, "ON")
        return ast.JoinExpr(table=ast.Field(["persons"]), alias="persons", next_join=source_join)

    def build(self, source: ActorSource | None, texts: list[str]) -> tuple[ast.SelectQuery, list]:
        columns = self.column_exprs(texts, source)
        exprs = [expr for _, expr in columns]
        aggregating = any(is_aggregate(e) for e in exprs)
        group_by = (
            [e for e in exprs if not is_aggregate(e) and not isinstance(e, ast.Constant)] if aggregating else None
        )
        offset = max(self.query.offset or 0, 0)
        node = ast.SelectQuery(
            select=[ast.Alias(f"c{i}", e) for i, e in enumerate(exprs)],
            select_from=self.from_clause(source),
            where=and_all(self.where(source)) if self.where(source) else None,
            group_by=group_by or None,
            order_by=self.order_by(columns, source) or None,
            limit=ast.Constant(self.limit + 1),
            offset=ast.Constant(offset) if offset else None,
        )
        return node, columns

    def calculate(self) -> dict:
        source = self.source()
        requested = list(self.query.select) if self.query.select else self.default_select(source)
        executed = list(requested)
        trends = source is not None and source.insight == "TrendsQuery" and not source.groups
        if self.query.select and trends and "event_distinct_ids" not in executed:
            executed.append("event_distinct_ids")
        node, columns = self.build(source, executed)
        limit = self.limit
        result = execute_select(
            node, self.print_context(), default_limit=limit + 1, max_limit=self.max_limit + 1, query_tag=self.query_tag
        )
        rows = result.results[:limit]
        results, missing = self.enrich(rows, columns, source)
        return {
            "results": results,
            "columns": executed,
            "types": [column_type for _, column_type in result.types],
            "hogql": result.hogql,
            "hasMore": len(result.results) > limit,
            "limit": limit,
            "offset": max(self.query.offset or 0, 0),
            "missing_actors_count": missing,
            "timings": result.timings,
        }

    def enrich(self, rows: list[list], columns: list, source: ActorSource | None) -> tuple[list[list], int | None]:
        """Actor columns become actor dicts; returns the rows and how many page actors were not found."""
        actor_positions = [i for i, (kind, _) in enumerate(columns) if kind in ("actor", "display_name")]
        if not actor_positions:
            return [[[] if columns[i][0] == "recordings" else v for i, v in enumerate(row)] for row in rows], None
        groups = source is not None and source.groups
        ids = {str(row[i]) for row in rows for i in actor_positions}
        found = {} if groups else person_dicts(self.team, list(ids))
        distinct_ids_position = next(
            (
                i
                for i, (_, expr) in enumerate(columns)
                if isinstance(expr, ast.Field) and expr.chain[-1:] == ["event_distinct_ids"]
            ),
            None,
        )
        missing = 0
        shaped = []
        for row in rows:
            out: list = []
            for i, value in enumerate(row):
                kind = columns[i][0]
                if kind == "recordings":
                    out.append([])
                elif kind in ("actor", "display_name"):
                    actor = found.get(str(value))
                    if actor is None:
                        actor = {"id": str(value)}
                        if groups:
                            actor.update({"type": "group", "group_key": str(value)})
                        elif distinct_ids_position is not None:
                            actor["distinct_ids"] = row[distinct_ids_position]
                    if kind == "actor":
                        out.append(actor)
                    else:
                        out.append({"display_name": display_name(actor, self.name_properties()), "id": str(value)})
                else:
                    out.append(value)
            if not groups and str(row[actor_positions[0]]) not in found:
                missing += 1
            shaped.append(out)
        return shaped, missing
