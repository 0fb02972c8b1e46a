"""PathsQueryRunner: the most common step-to-step transitions of persons' sessions (spec §1.8, §2.5, §3.13)."""

import re
from collections import defaultdict

from queries.hogql import ast
from queries.hogql.builders import datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.execute import execute_select
from queries.hogql.parser import parse_expr, parse_select
from queries.runners.common.date_range import QueryDateRange
from queries.runners.common.filters import property_filters
from queries.runners.insight import InsightQueryRunner
from queries.runners.paths_actors import paths_actors_query
from queries.runners.paths_funnel import FunnelPaths

STEP_LIMIT_DEFAULT = 5
EDGE_LIMIT_DEFAULT = 50
MAX_STEP_LIMIT = 100
MAX_EDGE_LIMIT = 10_000
SESSION_GAP_SECONDS = 30 * 60

# 1. per person: the (seconds, path item) pairs in time order;
# 2. split into sessions at gaps of 30 minutes or more (the difference of an item to the one before it);
# 3. per session: consecutive duplicates collapsed (the last of a run stays), cut to the start/end point and limited
#    to the step limit ({cut} below);
# 4. one row per step after the first: `<i-1>_<previous item>` -> `<i>_<item>` and the seconds between them.
# {cut}, {session_where} and the innermost `events` are filled in by the runner; user values travel as placeholders.
PATHS_QUERY = """
SELECT source_event, target_event, count() AS event_count, avg(conversion_time) AS average_conversion_time
FROM (
    SELECT
        concat(toString(step_index - 1), '_', step.3) AS source_event,
        concat(toString(step_index), '_', step.1) AS target_event,
        step.2 AS conversion_time
    FROM (
        SELECT
            person_id,
            arrayMap(x -> x.1, session) AS path_basic,
            arrayMap(x -> x.2, session) AS times,
            arrayPopFront(arrayPushBack(path_basic, '')) AS path_next,
            arrayMap((x, y) -> if(x = y, 0, 1), path_basic, path_next) AS mapping,
            arrayFilter((x, y) -> y, path_basic, mapping) AS compact_path,
            arrayFilter((x, y) -> y, times, mapping) AS timings,
            {cut}
            arrayZip(limited_path, arrayDifference(limited_timings), arrayPopBack(arrayPushFront(limited_path, '')))
                AS limited_path_timings
        FROM (
            SELECT
                person_id,
                arraySort(groupArray(tuple(seconds, path_item))) AS sorted_items,
                arrayZip(
                    arrayMap(x -> x.2, sorted_items),
                    arrayMap(x -> x.1, sorted_items),
                    arrayDifference(arrayMap(x -> x.1, sorted_items))
                ) AS paths_tuple,
                arraySplit(x -> if(x.3 < {{session_gap}}, 0, 1), paths_tuple) AS session_paths
            FROM events
            GROUP BY person_id
        )
        ARRAY JOIN session_paths AS session
        {session_where}
    )
    ARRAY JOIN limited_path_timings AS step, arrayEnumerate(limited_path_timings) AS step_index
    WHERE step_index > 1
)
GROUP BY source_event, target_event
ORDER BY event_count DESC, source_event, target_event
"""

# No point: the first N items.
CUT_NONE = """
            compact_path AS filtered_path,
            timings AS filtered_timings,
            arraySlice(filtered_path, 1, {step_limit}) AS limited_path,
            arraySlice(filtered_timings, 1, {step_limit}) AS limited_timings,
"""
# Start point: from its first occurrence, the first N items.
CUT_START = """
            indexOf(compact_path, {start_point}) AS target_index,
            arraySlice(compact_path, target_index) AS filtered_path,
            arraySlice(timings, target_index) AS filtered_timings,
            arraySlice(filtered_path, 1, {step_limit}) AS limited_path,
            arraySlice(filtered_timings, 1, {step_limit}) AS limited_timings,
"""
# End point: up to its first occurrence, the last N items.
CUT_END = """
            indexOf(compact_path, {end_point}) AS target_index,
            arrayResize(compact_path, target_index) AS filtered_path,
            arrayResize(timings, target_index) AS filtered_timings,
            arraySlice(filtered_path, -{step_limit}) AS limited_path,
            arraySlice(filtered_timings, -{step_limit}) AS limited_timings,
"""
# Both: from the start point to the first end point after it; longer than N keeps the first and last N/2 around a
# '...' step (which takes the time of the item after the first half).
CUT_BOTH = """
            indexOf(compact_path, {start_point}) AS start_target_index,
            arraySlice(compact_path, start_target_index) AS start_filtered_path,
            arraySlice(timings, start_target_index) AS start_filtered_timings,
            indexOf(start_filtered_path, {end_point}) AS end_target_index,
            arrayResize(start_filtered_path, end_target_index) AS filtered_path,
            arrayResize(start_filtered_timings, end_target_index) AS filtered_timings,
            if(
                length(filtered_path) > {step_limit},
                arrayConcat(
                    arraySlice(filtered_path, 1, {half}),
                    ['...'],
                    arraySlice(filtered_path, -{half}, {half})
                ),
                filtered_path
            ) AS limited_path,
            if(
                length(filtered_timings) > {step_limit},
                arrayConcat(
                    arraySlice(filtered_timings, 1, {half}),
                    [filtered_timings[{half} + 1]],
                    arraySlice(filtered_timings, -{half}, {half})
                ),
                filtered_timings
            ) AS limited_timings,
"""


def glob_to_regex(grouping: str) -> str:
    """A `pathGroupings` entry as a regex: `*` matches anything, everything else literally."""
    return re.escape(grouping).replace("\\*", ".*")


def strip_trailing_slash(point: str | None) -> str | None:
    if point and len(point) > 1 and point.endswith("/"):
        return point[:-1]
    return point


def inner_query(query: ast.SelectQuery | ast.SelectSetQuery) -> ast.SelectQuery:
    """The SELECT a template's query reads from (the templates nest each step in a FROM subquery)."""
    assert isinstance(query, ast.SelectQuery) and query.select_from is not None
    assert isinstance(query.select_from.table, ast.SelectQuery)
    return query.select_from.table


def reachable_edges(rows: list) -> list:
    """The edges whose source can be reached from a `1_` node through the returned edges (PostHog's check)."""
    targets = defaultdict(list)
    stack = []
    for source, target, *_ in rows:
        targets[source].append(target)
        if source.startswith("1_"):
            stack.append(source)
    seen = set()
    while stack:
        node = stack.pop()
        seen.add(node)
        stack.extend(target for target in targets[node] if target not in seen)
    return [row for row in rows if row[0] in seen]


class PathsQueryRunner(InsightQueryRunner):
    kind = "PathsQuery"

    # ---- settings ---------------------------------------------------------------------------------

    @property
    def paths_filter(self):
        return self.query.pathsFilter

    def interval(self) -> str:
        return "day"

    @property
    def step_limit(self) -> int:
        limit = self.paths_filter.stepLimit or STEP_LIMIT_DEFAULT
        if limit < 1 or limit > MAX_STEP_LIMIT:
            raise QueryError(f"stepLimit must be between 1 and {MAX_STEP_LIMIT}.")
        return limit

    @property
    def edge_limit(self) -> int:
        limit = self.paths_filter.edgeLimit or EDGE_LIMIT_DEFAULT
        if limit < 1 or limit > MAX_EDGE_LIMIT:
            raise QueryError(f"edgeLimit must be between 1 and {MAX_EDGE_LIMIT}.")
        return limit

    def cleaning_rules(self) -> list[tuple[str, str]]:
        """(regex, alias) pairs: the project's rules when `pathReplacements`, then the local ones, in order."""
        rules = []
        if self.paths_filter.pathReplacements:
            # Like PostHog, project rules that are not {regex, alias} objects are skipped, not fatal.
            for rule in self.team.path_cleaning_filters or []:
                if isinstance(rule, dict) and isinstance(rule.get("regex"), str) and isinstance(rule.get("alias"), str):
                    rules.append((rule["regex"], rule["alias"]))
        for rule in self.paths_filter.localPathCleaningFilters or []:
            rules.append((rule.regex, rule.alias))
        for regex, alias in rules:
            if not isinstance(regex, str) or not isinstance(alias, str):
                raise QueryError("Each path cleaning rule needs a regex and an alias.")
            try:
                re.compile(regex)
            except re.error as error:
                raise QueryError(f"Invalid path cleaning regex {regex!r}: {error}") from None
        return rules

    # ---- building ---------------------------------------------------------------------------------

    def included(self, path_type: str) -> bool:
        """Whether items of this type are read their own way (by default every type not excluded is)."""
        types = self.paths_filter.includeEventTypes
        if not types:
            return path_type not in (self.paths_filter.excludeEvents or [])
        return path_type in types

    def raw_item(self) -> ast.Expr:
        """The path item before cleaning: URL for pageviews, screen name for screens, else event or HogQL."""
        item: ast.Expr = ast.Field(["event"])
        expression = self.paths_filter.pathsHogQLExpression
        if self.included("hogql") and expression:
            item = parse_expr(expression)
        if self.included("$pageview"):
            url = ast.Call("ifNull", [ast.Field(["properties", "$current_url"]), ast.Constant("")])
            without_slash = ast.Call("replaceRegexpAll", [url, ast.Constant("(.)/$"), ast.Constant("\\1")])
            item = ast.Call("if", [self.event_is("$pageview"), without_slash, item])
        if self.included("$screen"):
            item = ast.Call("if", [self.event_is("$screen"), ast.Field(["properties", "$screen_name"]), item])
        return ast.Call("ifNull", [item, ast.Constant("")])

    @staticmethod
    def event_is(name: str) -> ast.Expr:
        return ast.CompareOperation("==", ast.Field(["event"]), ast.Constant(name))

    def item_columns(self) -> list[ast.Expr]:
        """`path_item`: the raw item, cleaned by each rule in turn, then replaced by the first matching grouping."""
        item = self.raw_item()
        for regex, alias in self.cleaning_rules():
            item = ast.Call("replaceRegexpAll", [item, ast.Constant(regex), ast.Constant(alias)])
        groupings = self.paths_filter.pathGroupings or []
        if not groupings:
            return [ast.Alias("path_item", item)]
        ungrouped = ast.Field(["path_item_ungrouped"])
        args: list[ast.Expr] = []
        for grouping in groupings:
            args += [ast.Call("match", [ungrouped, ast.Constant(glob_to_regex(grouping))]), ast.Constant(grouping)]
        args.append(ungrouped)
        return [ast.Alias("path_item_ungrouped", item), ast.Alias("path_item", ast.Call("multiIf", args))]

    def where(self, date_range: QueryDateRange) -> ast.Expr:
        parts: list[ast.Expr] = [
            ast.CompareOperation("<=", ast.Field(["timestamp"]), datetime_constant(date_range.date_to()))
        ]
        if date_range.date_from_text != "all":
            lower = datetime_constant(date_range.date_from_lower_bound())
            parts.insert(0, ast.CompareOperation(">=", ast.Field(["timestamp"]), lower))
        types = self.paths_filter.includeEventTypes or []
        kinds: list[ast.Expr] = []
        if "$pageview" in types:
            kinds.append(self.event_is("$pageview"))
        if "$screen" in types:
            kinds.append(self.event_is("$screen"))
        if "custom_event" in types:
            kinds.append(ast.Not(ast.Call("startsWith", [ast.Field(["event"]), ast.Constant("$")])))
        if kinds:
            parts.append(kinds[0] if len(kinds) == 1 else ast.Or(kinds))
        # As in PostHog, excluded events only apply when event types are chosen.
        if types and self.paths_filter.excludeEvents:
            excluded = ast.Constant(list(self.paths_filter.excludeEvents))
            parts.append(ast.CompareOperation("not in", ast.Field(["path_item"]), excluded))
        parts += property_filters(self.query, self.team)
        return ast.And(parts)

    def cut(self) -> tuple[str, str, dict]:
        """The session cut (see the templates), its WHERE, and the values its placeholders take."""
        start = strip_trailing_slash(self.paths_filter.startPoint)
        end = strip_trailing_slash(self.paths_filter.endPoint)
        values: dict[str, int | str] = {"step_limit": self.step_limit, "half": self.step_limit // 2}
        if start and end:
            values.update(start_point=start, end_point=end)
            return CUT_BOTH, "WHERE start_target_index > 0 AND end_target_index > 0", values
        if start:
            values["start_point"] = start
            return CUT_START, "WHERE target_index > 0", values
        if end:
            values["end_point"] = end
            return CUT_END, "WHERE target_index > 0", values
        return CUT_NONE, "", values

    def build(self, date_range: QueryDateRange) -> tuple[ast.SelectQuery, dict]:
        cut, session_where, values = self.cut()
        text = PATHS_QUERY.format(cut=cut.strip(), session_where=session_where)
        funnel = FunnelPaths(self) if self.query.funnelPathsFilter is not None else None
        values["session_gap"] = funnel.session_gap_seconds if funnel else SESSION_GAP_SECONDS
        select = parse_select(text, internal=True)
        assert isinstance(select, ast.SelectQuery)  # PATHS_QUERY is one SELECT
        per_person = inner_query(inner_query(inner_query(select)))
        events_select: list[ast.Expr] = [
            # Named explicitly: with person overrides the printed column is an expression, not `person_id`.
            ast.Alias("person_id", ast.Field(["person_id"])),
            ast.Alias("seconds", ast.Call("toFloat64", [ast.Field(["timestamp"])])),
            *self.item_columns(),
        ]
        events = ast.SelectQuery(
            select=events_select,
            select_from=ast.JoinExpr(table=ast.Field(["events"]), alias="e"),
            where=self.where(date_range),
        )
        per_person.select_from = ast.JoinExpr(table=events)
        if funnel:
            funnel.restrict(events)
        having: list[ast.Expr] = []
        count = ast.Field(["event_count"])
        if self.paths_filter.minEdgeWeight:
            having.append(ast.CompareOperation(">=", count, ast.Constant(self.paths_filter.minEdgeWeight)))
        if self.paths_filter.maxEdgeWeight:
            having.append(ast.CompareOperation("<=", count, ast.Constant(self.paths_filter.maxEdgeWeight)))
        if having:
            select.having = having[0] if len(having) == 1 else ast.And(having)
        select.limit = ast.Constant(self.edge_limit)
        return select, values

    # ---- actors -----------------------------------------------------------------------------------

    def to_actors_query(self, node) -> ast.SelectQuery:
        return paths_actors_query(self)

    # ---- calculation ------------------------------------------------------------------------------

    def calculate(self) -> dict:
        select, values = self.build(self.query_date_range())
        result = execute_select(
            select,
            self.print_context(values=values),
            default_limit=self.edge_limit,
            max_limit=max(self.edge_limit, MAX_EDGE_LIMIT),
            query_tag=self.query_tag,
        )
        results = [
            {
                "source": source,
                "target": target,
                "value": value,
                "average_conversion_time": float(average) * 1000.0,
            }
            for source, target, value, average in reachable_edges(result.results)
        ]
        return {"results": results, "timings": result.timings, "hogql": result.hogql}
