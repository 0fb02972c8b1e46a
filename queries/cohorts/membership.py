"""A dynamic cohort's filter tree as one HogQL SELECT of person ids (spec actors-cohorts §3.4.2-3.4.3).

Each leaf is a condition on a person (`persons.id`): a person property, membership of another cohort (`IN COHORT`),
or a behaviour (`id IN (<persons whose events in the window pass the count>)`). Groups are AND/OR of their children
and a negated child is a NOT: inside a group with a positive sibling that is the set subtraction PostHog performs.
"""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from queries.dates import relative_date_parse
from queries.hogql import ast
from queries.hogql.actions import action_to_expr
from queries.hogql.builders import and_all, datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.property import property_to_expr
from queries.runners.stickiness import StickinessQueryRunner
from queries.schema.actors import StickinessActorsQuery

TOP_LEVEL_NEGATED = "Top level condition cannot be negated"
COUNT_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "==", "exact": "==", None: "=="}
UNITS = {"minute": "minutes", "hour": "hours", "day": "days", "week": "weeks", "month": "months", "year": "years"}
# The stickiness criteria know gte/lte/exact; strict comparisons become those (see `regularly`).
REGULARLY_CRITERIA = {
    "gte": "gte",
    "lte": "lte",
    "gt": "gt",
    "lt": "lt",
    "eq": "exact",
    "exact": "exact",
    None: "exact",
}
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400}


def _count_if(condition: ast.Expr) -> ast.Expr:
    return ast.Call("countIf", [condition])


def window_start(leaf: dict, now: datetime, timezone: str) -> datetime:
    """The start of a behaviour's window: `explicit_datetime`, else now minus `time_value` `time_interval`s."""
    if leaf.get("explicit_datetime"):
        return relative_date_parse(leaf["explicit_datetime"], timezone, now)
    unit = UNITS.get(leaf.get("time_interval") or "day", "days")
    value = int(leaf.get("time_value") or 30)
    if unit in ("months", "years"):
        return now - (relativedelta(months=value) if unit == "months" else relativedelta(years=value))
    return now - timedelta(**{unit: value})


class MembershipBuilder:
    """Builds the members query of one cohort; `action_steps(id)` reads an action of the cohort's project."""

    def __init__(self, team, now: datetime, action_steps):
        self.team = team
        self.now = now
        self.action_steps = action_steps

    def build(self, filters: dict) -> ast.SelectQuery:
        root = filters["properties"]
        if not self.has_positive(root, negated=False):
            raise QueryError(TOP_LEVEL_NEGATED)
        condition = self.group(root)
        if filters.get("filterTestAccounts") and self.team.test_account_filters:
            person_filters = [f for f in self.team.test_account_filters if f.get("type") in ("person", "cohort")]
            if person_filters:
                condition = ast.And([condition, property_to_expr(person_filters, scope="person")])
        return ast.SelectQuery(
            select=[ast.Field(["id"])],
            select_from=ast.JoinExpr(table=ast.Field(["persons"]), alias="persons"),
            where=condition,
        )

    def has_positive(self, node: dict, negated: bool) -> bool:
        negated = negated != bool(node.get("negation"))
        if "values" in node and node.get("type") in ("AND", "OR"):
            return any(self.has_positive(child, negated) for child in node["values"])
        return not negated

    def group(self, node: dict) -> ast.Expr:
        if "values" in node and node.get("type") in ("AND", "OR"):
            children = [self.group(child) for child in node["values"]]
            if not children:
                return ast.Constant(False)
            expr = (
                and_all(children)
                if node["type"] == "AND"
                else (children[0] if len(children) == 1 else ast.Or(children))
            )
        else:
            expr = self.leaf(node)
        return ast.Not(expr) if node.get("negation") else expr

    def leaf(self, leaf: dict) -> ast.Expr:
        kind = leaf.get("type")
        if kind == "person":
            return property_to_expr({**leaf, "negation": False}, scope="person")
        if kind == "cohort":
            return ast.CompareOperation("in cohort", ast.Field(["id"]), ast.Constant(int(leaf["value"])))
        if kind == "behavioral":
            return ast.CompareOperation("in", ast.Field(["id"]), self.behaviour(leaf))
        raise QueryError(f"Invalid property type for Cohort queries: {kind}")

    def event_condition(self, leaf: dict) -> ast.Expr:
        if leaf.get("event_type") == "actions":
            steps = self.action_steps(leaf["key"])
            if steps is None:
                return ast.Constant(False)
            condition = action_to_expr(steps)
        else:
            condition = ast.CompareOperation("==", ast.Field(["event"]), ast.Constant(str(leaf["key"])))
        if leaf.get("event_filters"):
            condition = ast.And([condition, property_to_expr(leaf["event_filters"])])
        return condition

    def behaviour(self, leaf: dict) -> ast.SelectQuery:
        """Persons whose matching events in the window satisfy the behaviour (one row per person)."""
        value = leaf["value"]
        start = window_start(leaf, self.now, self.team.timezone)
        timestamp = ast.Field(["timestamp"])
        in_window: list[ast.Expr] = [
            ast.CompareOperation(">=", timestamp, datetime_constant(start)),
            ast.CompareOperation("<=", timestamp, datetime_constant(self.now)),
        ]
        matching = self.event_condition(leaf)
        having = None
        where = and_all([matching, *in_window])
        if value == "performed_event_multiple":
            operator = COUNT_OPERATORS.get(leaf.get("operator"))
            if operator is None:
                raise QueryError("count_operator must be gt(e), lt(e), exact, or None")
            having = ast.CompareOperation(
                operator, ast.Call("count", []), ast.Constant(int(leaf.get("operator_value") or 0))
            )
        elif value == "performed_event_first_time":
            where = and_all([matching, ast.CompareOperation("<=", timestamp, datetime_constant(self.now))])
            having = ast.CompareOperation(">=", ast.Call("min", [timestamp]), datetime_constant(start))
        elif value == "stopped_performing_event":
            recent_window = {
                **leaf,
                "time_value": leaf.get("seq_time_value"),
                "time_interval": leaf.get("seq_time_interval"),
            }
            recent = window_start(recent_window, self.now, self.team.timezone)
            having = ast.CompareOperation("<", ast.Call("max", [timestamp]), datetime_constant(recent))
        elif value == "restarted_performing_event":
            return self.restarted(leaf, matching)
        elif value == "performed_event_sequence":
            return self.sequence(leaf, matching, in_window)
        elif value == "performed_event_regularly":
            return self.regularly(leaf)
        elif value != "performed_event":
            raise QueryError(f"The behaviour '{value}' is not supported in cohorts yet.")
        return ast.SelectQuery(
            select=[ast.Alias("person_id", ast.Field(["person_id"]))],
            select_from=ast.JoinExpr(table=ast.Field(["events"]), alias="e"),
            where=where,
            group_by=[ast.Field(["person_id"])],
            having=having,
        )

    def persons_having(self, where: ast.Expr, having: ast.Expr) -> ast.SelectQuery:
        return ast.SelectQuery(
            select=[ast.Alias("person_id", ast.Field(["person_id"]))],
            select_from=ast.JoinExpr(table=ast.Field(["events"]), alias="e"),
            where=where,
            group_by=[ast.Field(["person_id"])],
            having=having,
        )

    def restarted(self, leaf: dict, matching: ast.Expr) -> ast.SelectQuery:
        """Did it in the recent window (`seq_time_*`), not for the first time ever, and not in the rest of the main
        window before it."""
        timestamp = ast.Field(["timestamp"])
        start = datetime_constant(window_start(leaf, self.now, self.team.timezone))
        recent_window = {
            **leaf,
            "time_value": leaf.get("seq_time_value"),
            "time_interval": leaf.get("seq_time_interval"),
        }
        recent = datetime_constant(window_start(recent_window, self.now, self.team.timezone))
        before_recent = ast.And(
            [ast.CompareOperation(">=", timestamp, start), ast.CompareOperation("<", timestamp, recent)]
        )
        having = ast.And(
            [
                ast.CompareOperation(">", _count_if(ast.CompareOperation(">=", timestamp, recent)), ast.Constant(0)),
                ast.CompareOperation("<", ast.Call("min", [timestamp]), recent),
                ast.CompareOperation("==", _count_if(before_recent), ast.Constant(0)),
            ]
        )
        where = and_all([matching, ast.CompareOperation("<=", timestamp, datetime_constant(self.now))])
        return self.persons_having(where, having)

    def sequence(self, leaf: dict, matching: ast.Expr, in_window: list[ast.Expr]) -> ast.SelectQuery:
        """Did `key`, then `seq_event` within `seq_time_value` `seq_time_interval`, both inside the main window."""
        if leaf.get("seq_event") is None:
            raise QueryError("Missing required keys for behavioral filter: seq_event")
        then = self.event_condition({"key": leaf["seq_event"], "event_type": leaf.get("seq_event_type") or "events"})
        seconds = int(leaf.get("seq_time_value") or 1) * UNIT_SECONDS.get(leaf.get("seq_time_interval") or "day", 86400)
        moment = ast.Call("toUnixTimestamp", [ast.Field(["timestamp"])])
        firsts = ast.Alias("firsts", ast.Call("groupArrayIf", [moment, matching]))
        seconds_list = ast.Alias("thens", ast.Call("groupArrayIf", [moment, then]))
        follows = ast.And(
            [
                ast.CompareOperation(">=", ast.Field(["b"]), ast.Field(["a"])),
                ast.CompareOperation(
                    "<=", ast.Field(["b"]), ast.ArithmeticOperation("+", ast.Field(["a"]), ast.Constant(seconds))
                ),
            ]
        )
        inner = ast.Call("arrayExists", [ast.Lambda(["b"], follows), ast.Field(["thens"])])
        select = self.persons_having(and_all([ast.Or([matching, then]), *in_window]), ast.Call(
            "arrayExists", [ast.Lambda(["a"], inner), ast.Field(["firsts"])]))  # fmt: skip
        select.select += [firsts, seconds_list]
        return ast.SelectQuery(select=[ast.Field(["person_id"])], select_from=ast.JoinExpr(table=select))

    def regularly(self, leaf: dict) -> ast.SelectQuery:
        """`operator_value` times (by `operator`) per period of `time_value` `time_interval`s, in at least `min_periods`
        of the last `total_periods` periods. As PostHog: the actors of a stickiness query over
        `[-time_value x total_periods, -1d]` with `intervalCount = time_value`, criteria `count() <op> operator_value`
        and `num_intervals >= min_periods`; periods are counted back from yesterday's end, a year is 12 months."""
        interval = leaf.get("time_interval") or "day"
        time_value = int(leaf["time_value"])
        if interval == "year":
            interval, time_value = "month", time_value * 12
        operator, value = REGULARLY_CRITERIA[leaf.get("operator")], int(leaf["operator_value"])
        if operator == "gt":  # counts are whole numbers: > n is >= n + 1, < n is <= n - 1
            operator, value = "gte", value + 1
        elif operator == "lt":
            operator, value = "lte", value - 1
        series: dict = {"kind": "EventsNode", "event": str(leaf["key"])}
        if leaf.get("event_type") == "actions":
            series = {"kind": "ActionsNode", "id": int(leaf["key"])}
        if leaf.get("event_filters"):
            series["properties"] = leaf["event_filters"]
        source = {
            "kind": "StickinessQuery",
            "series": [series],
            "dateRange": {"date_from": f"-{time_value * int(leaf['total_periods'])}{interval[0]}", "date_to": "-1d"},
            "interval": interval,
            "intervalCount": time_value,
            "stickinessFilter": {"stickinessCriteria": {"operator": operator, "value": value}},
        }
        node = StickinessActorsQuery.model_validate(
            {"source": source, "day": int(leaf["min_periods"]), "operator": "gte"}
        )
        runner = StickinessQueryRunner(node.source, self.team)
        runner.now = self.now
        return runner.to_actors_query(node)
