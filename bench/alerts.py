"""Alert checks benchmark: N due alerts (default 1,000) over the generated bench data set, checked the way the
in-process scheduler does at a tick (`alerts.checks.alerts_check_due`: one after another, each insight run fresh).

Prints alerts/minute and the share of the wall time spent inside ClickHouse calls (`queries.clickhouse.client`
query/command/insert), the rest being Django, the runners (parse, print, shape), evaluation and the writes.

    BENCH_DIR=.data/bench .venv/bin/python bench/alerts.py [--alerts 1000] [--events 10000000]

Uses the data set bench/run.py generates (the same BENCH_DIR and marker); alerts and insights it creates are
removed first, so it can run again.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_NAME = "bench-alert"
DAILY = {"kind": "TrendsQuery", "dateRange": {"date_from": "-30d"}, "interval": "day"}
# (name, insight query, alert config, condition, threshold bounds): a mix of what alerts watch.
INSIGHTS = [
    ("pageviews", {**DAILY, "series": [{"kind": "EventsNode", "event": "$pageview"}]}, 0, "absolute_value"),
    ("signups", {**DAILY, "series": [{"kind": "EventsNode", "event": "signed_up"}]}, 0, "absolute_value"),
    (
        "pageview users",
        {**DAILY, "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}]},
        0,
        "relative_increase",
    ),
    (
        "pageviews by browser",
        {
            **DAILY,
            "series": [{"kind": "EventsNode", "event": "$pageview"}],
            "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
        },
        0,
        "absolute_value",
    ),
    (
        "hourly pageviews",
        {
            **DAILY,
            "interval": "hour",
            "dateRange": {"date_from": "-2d"},
            "series": [{"kind": "EventsNode", "event": "$pageview"}],
        },
        0,
        "relative_decrease",
    ),
    (
        "signup funnel",
        {
            "kind": "FunnelsQuery",
            "dateRange": {"date_from": "-7d"},
            "series": [{"kind": "EventsNode", "event": "$pageview"}, {"kind": "EventsNode", "event": "signed_up"}],
        },
        None,
        "absolute_value",
    ),
]  # fmt: skip


def create_alerts(team, count: int) -> list:
    """`count` due alerts spread over the insights (removing those of an earlier run)."""
    from alerts.models import AlertConfiguration, Threshold
    from insights.models import Insight

    AlertConfiguration.objects.filter(team=team, name__startswith=BENCH_NAME).delete()
    Insight.objects.filter(team=team, name__startswith=BENCH_NAME).delete()
    insights = []
    for name, query, series_index, condition in INSIGHTS:
        insight = Insight.objects.create(
            team=team, name=f"{BENCH_NAME} {name}", query={"kind": "InsightVizNode", "source": query}
        )
        insights.append((insight, series_index, condition))
    alerts = []
    for number in range(count):
        insight, series_index, condition = insights[number % len(insights)]
        if series_index is None:
            config = {"type": "FunnelsAlertConfig", "metric": "conversion_rate"}
            threshold = {"type": "absolute", "bounds": {"lower": 0.5}}
        else:
            config = {"type": "TrendsAlertConfig", "series_index": series_index}
            kind = "absolute" if condition == "absolute_value" else "percentage"
            threshold = {"type": kind, "bounds": {"upper": 1000 + number if kind == "absolute" else 0.2}}
        threshold_row = Threshold.objects.create(team=team, insight=insight, configuration=threshold)
        alerts.append(
            AlertConfiguration(
                team=team, insight=insight, name=f"{BENCH_NAME} {number}", config=config,
                condition={"type": condition}, threshold=threshold_row, calculation_interval="hourly",
            )
        )  # fmt: skip
    return AlertConfiguration.objects.bulk_create(alerts)


class ClickHouseTimer:
    """Wraps the client's query/command/insert to add up the time spent inside them."""

    def __init__(self) -> None:
        from queries.clickhouse import client

        self.client = client
        self.seconds = 0.0
        self.calls = 0
        for name in ("query", "command", "insert"):
            setattr(client, name, self._timed(getattr(client, name)))

    def _timed(self, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10_000_000)
    args = parser.parse_args()
    os.environ.setdefault("QUERY_ASYNC_BACKEND", "thread")
    from bench.run import setup_django

    team_id = setup_django(args.events)
    from alerts.checks import alerts_check_due
    from alerts.models import AlertCheck, AlertConfiguration
    from insights_server.models import Team

    team = Team.objects.get(pk=team_id)
    alerts = create_alerts(team, args.alerts)
    timer = ClickHouseTimer()
    started = time.perf_counter()
    checked = alerts_check_due()
    seconds = time.perf_counter() - started
    checks = AlertCheck.objects.filter(alert_configuration__in=alerts)
    states = {state: checks.filter(state=state).count() for state in ("Firing", "Not firing", "Errored")}
    errors = list(checks.filter(state="Errored").values_list("error__message", flat=True)[:3])
    print(f"{args.events:,} events; {len(alerts)} due alerts over {len(INSIGHTS)} insights; {checked} checked")
    print(f"states: {states}" + (f"; first errors: {errors}" if errors else ""))
    print(
        f"{seconds:.1f} s: {checked / seconds * 60:,.0f} alerts/minute, {seconds / max(checked, 1) * 1000:.0f} ms per "
        f"alert; ClickHouse {timer.seconds:.1f} s in {timer.calls} calls = {timer.seconds / seconds:.0%} of the time"
    )
    AlertConfiguration.objects.filter(id__in=[alert.id for alert in alerts]).delete()


if __name__ == "__main__":
    main()
