"""InsightActorsQuery on its own (the actor subquery's rows) and InsightActorsQueryOptions (what the persons modal
can pick: days, series, breakdown values, statuses, compare sides; spec actors-cohorts §2.1, §2.8)."""

from queries.hogql.execute import execute_select
from queries.hogql.printer import DEFAULT_LIMIT, MAX_LIMIT
from queries.runners.actors.runner import ActorsQueryRunner
from queries.runners.base import QueryRunner
from queries.runners.common.labels import format_label_date

OTHER_LABEL = "Other (i.e. all remaining values)"
NULL_LABEL = "None (i.e. no value)"
OTHER_VALUE = "$$_posthog_breakdown_other_$$"
NULL_VALUE = "$$_posthog_breakdown_null_$$"
LIFECYCLE_STATUSES = [
    {"label": "Dormant", "value": "dormant"},
    {"label": "New", "value": "new"},
    {"label": "Resurrecting", "value": "resurrecting"},
    {"label": "Returning", "value": "returning"},
]
COMPARE_OPTIONS = [{"label": "Current", "value": "current"}, {"label": "Previous", "value": "previous"}]


class InsightActorsQueryRunner(QueryRunner):
    kind = "InsightActorsQuery"

    def calculate(self) -> dict:
        select = ActorsQueryRunner(None, self.team).insight_runner(self.query.source).to_actors_query(self.query)
        result = execute_select(select, self.print_context(), default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT)
        return {
            "results": result.results,
            "columns": result.columns,
            "types": result.types,
            "hogql": result.hogql,
            "timings": result.timings,
        }


def _breakdown_label(value) -> str:
    if value == OTHER_VALUE:
        return OTHER_LABEL
    if value == NULL_VALUE:
        return NULL_LABEL
    return str(value)


class InsightActorsQueryOptionsRunner(QueryRunner):
    kind = "InsightActorsQueryOptions"

    def calculate(self) -> dict:
        node = self.query.source
        insight = node.source
        options: dict[str, list | None] = {
            "day": None,
            "status": None,
            "interval": None,
            "breakdown": None,
            "series": None,
            "compare": None,
        }
        runner = ActorsQueryRunner(None, self.team).insight_runner(insight)
        if insight.kind in ("TrendsQuery", "LifecycleQuery"):
            date_range = runner.query_date_range()
            start, end = date_range.date_from(), date_range.date_to()
            total = insight.kind == "TrendsQuery" and runner.total_value
            options["day"] = None if total else [
                {"label": format_label_date(bucket, date_range.interval, start, end), "value": bucket.strftime(
                    "%Y-%m-%d %H:%M:%S" if date_range.interval in ("hour", "minute") else "%Y-%m-%d")}
                for bucket in date_range.buckets()
            ]  # fmt: skip
        if insight.kind == "LifecycleQuery":
            options["status"] = LIFECYCLE_STATUSES
        if insight.kind == "TrendsQuery":
            options["series"] = [
                {"label": runner.identity(series)["name"], "value": index}
                for index, series in enumerate(insight.series)
            ]
            if insight.compareFilter is not None and insight.compareFilter.compare:
                options["compare"] = COMPARE_OPTIONS
            if insight.breakdownFilter is not None and (
                insight.breakdownFilter.breakdown or insight.breakdownFilter.breakdowns
            ):
                options["breakdown"] = self.trends_breakdowns(runner)
        compare_filter = getattr(insight, "compareFilter", None)
        compare_on = bool(compare_filter and compare_filter.compare)
        if insight.kind == "FunnelsQuery" and compare_on and runner.viz != "trends":
            options["compare"] = COMPARE_OPTIONS
        if insight.kind == "FunnelsQuery" and insight.breakdownFilter is not None:
            options["breakdown"] = self.funnel_breakdowns(runner)
        return options

    def funnel_breakdowns(self, runner) -> list[dict]:
        """Baseline (no breakdown filter) and each breakdown value of the funnel's steps."""
        choices: list[dict] = [{"label": "Baseline", "value": None}]
        results = runner.calculate()["results"]
        for steps in results if results and isinstance(results[0], list) else []:
            value = steps[0].get("breakdown_value")
            label = "::".join(str(v) for v in value) if isinstance(value, list) else str(value)
            choices.append({"label": label, "value": value})
        return choices

    def trends_breakdowns(self, runner) -> list[dict]:
        breakdown_filter = runner.query.breakdownFilter
        if (breakdown_filter.breakdown_type or "event") == "cohort":
            from cohorts.models import Cohort  # noqa: PLC0415 - cohorts sits below queries

            values = (
                breakdown_filter.breakdown
                if isinstance(breakdown_filter.breakdown, list)
                else [breakdown_filter.breakdown]
            )
            names = dict(Cohort.objects.filter(team__project_id=self.team.project_id).values_list("id", "name"))
            return [
                {"label": "all users", "value": "all"}
                if str(v) in ("all", "0")
                else {"label": names.get(int(v), str(v)), "value": int(v)}
                for v in values
            ]
        seen, choices = set(), []
        for row in runner.calculate()["results"]:
            value = row.get("breakdown_value")
            key = tuple(value) if isinstance(value, list) else value
            if key in seen:
                continue
            seen.add(key)
            choices.append({"label": _breakdown_label(value), "value": value})
        return choices
