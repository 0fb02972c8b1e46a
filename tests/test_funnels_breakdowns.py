"""Funnel breakdowns through /query/: each attribution type, multiple breakdowns and the `Other` bucket, checked
against the plain-Python reference of tests/test_funnels.py.
"""

import pytest

from tests.test_funnels import (
    DAY,
    EVENTS,
    STEPS,
    data,  # noqa: F401 (fixture)
    funnel,
    per_actor_events,
    reference_actor,
    summarize,
)

pytestmark = pytest.mark.usefixtures("clickhouse")
WINDOW = 14 * DAY
BROWSER = {"breakdown": "$browser", "breakdown_type": "event"}


def value_of(props) -> list[str]:
    return [str(props.get("$browser") or "")]


def step_events(events, steps=STEPS):
    return [e for e in events if e[1] in steps]


def expected_by_value(attribution: str, step: int | None = None, steps=STEPS, order="ordered") -> dict:
    """{breakdown value (tuple): [step summaries]} computed per actor as spec §3.9 describes."""
    paths: dict = {}
    for events in per_actor_events().values():
        candidates = step_events(events, steps)
        if not candidates:
            continue
        if attribution in ("first_touch", "last_touch"):
            filled = [e for e in sorted(candidates, key=lambda e: e[0]) if value_of(e[2]) != [""]]
            chosen = (filled[0] if attribution == "first_touch" else filled[-1]) if filled else None
            value = value_of(chosen[2]) if chosen else [""]
            path = reference_actor(events, steps, WINDOW, order)
            runs = [(value, path)]
        elif attribution == "all_events":
            values = {tuple(value_of(e[2])) for e in candidates}
            runs = []
            for value in values:
                own = [e for e in events if tuple(value_of(e[2])) == value]
                runs.append((list(value), reference_actor(own, steps, WINDOW, order)))
        else:
            values = {tuple(value_of(e[2])) for e in candidates if e[1] == steps[step]} or {("",)}
            runs = []
            for value in values:

                def only_value(index, props, value=value):
                    return index != step or tuple(value_of(props)) == value

                runs.append((list(value), reference_actor(events, steps, WINDOW, order, step_filter=only_value)))
        for value, path in runs:
            if path:
                paths.setdefault(tuple(value), []).append(path)
    return {value: summarize(found, len(steps)) for value, found in paths.items()}


def as_dict(results) -> dict:
    return {tuple(steps[0]["breakdown_value"]): steps for steps in results}


def assert_breakdowns(results, expected: dict) -> None:
    actual = as_dict(results)
    assert set(actual) == set(expected)
    for value, steps in expected.items():
        assert [s["count"] for s in actual[value]] == [s["count"] for s in steps], value
        for got, want in zip(actual[value], steps, strict=True):
            for key in ("average_conversion_time", "median_conversion_time"):
                if want[key] is None:
                    assert got[key] is None, value
                else:
                    assert got[key] == pytest.approx(want[key]), value


@pytest.mark.parametrize("attribution", ["first_touch", "last_touch", "all_events"])
def test_funnel_breakdown_attribution(owner_client, world, data, attribution):  # noqa: F811
    body = funnel(
        owner_client,
        world.team.id,
        breakdownFilter=BROWSER,
        funnelsFilter={"breakdownAttributionType": attribution},
    )
    results = body["results"]
    assert all(isinstance(steps, list) for steps in results)
    assert all(step["breakdown"] == step["breakdown_value"] for steps in results for step in steps)
    assert_breakdowns(results, expected_by_value(attribution))


@pytest.mark.parametrize("step", [0, 1, 2])
def test_funnel_breakdown_step_attribution(owner_client, world, data, step):  # noqa: F811
    filters = {"breakdownAttributionType": "step", "breakdownAttributionValue": step}
    results = funnel(owner_client, world.team.id, breakdownFilter=BROWSER, funnelsFilter=filters)["results"]
    assert_breakdowns(results, expected_by_value("step", step))


def test_funnel_breakdown_first_touch_hand_counted(owner_client, world, data):  # noqa: F811
    results = as_dict(funnel(owner_client, world.team.id, breakdownFilter=BROWSER)["results"])
    # alice, carol, hank and the merged user-1 first touched Chrome; alice and user-1 bought.
    assert [s["count"] for s in results[("Chrome",)]] == [4, 2, 2]
    # bob's later steps carry no browser: first touch keeps Safari from his signups.
    assert [s["count"] for s in results[("Safari",)]] == [2, 2, 2]
    assert [s["count"] for s in results[("",)]] == [1, 1, 0]


def test_funnel_breakdown_results_ranked_with_other_last(owner_client, world, data):  # noqa: F811
    expected = expected_by_value("first_touch")
    body = funnel(owner_client, world.team.id, breakdownFilter={**BROWSER, "breakdown_limit": 2})
    results = body["results"]
    ranked = sorted(expected, key=lambda v: tuple(-s["count"] for s in reversed(expected[v])) + (v,))
    kept = ranked[:2]
    assert [tuple(steps[0]["breakdown_value"]) for steps in results] == [*kept, ("Other",)]
    other_counts = [sum(expected[v][i]["count"] for v in ranked[2:]) for i in range(3)]
    assert [s["count"] for s in results[-1]] == other_counts
    assert results[-1][0]["breakdown"] == ["Other"]


def test_funnel_multiple_breakdowns(owner_client, world, data):  # noqa: F811
    breakdowns = {"breakdowns": [{"property": "$browser", "type": "event"}, {"property": "plan", "type": "event"}]}
    results = funnel(owner_client, world.team.id, breakdownFilter=breakdowns)["results"]
    values = {tuple(steps[0]["breakdown_value"]) for steps in results}
    assert ("Chrome", "") in values and ("Safari", "") in values
    assert all(len(steps[0]["breakdown_value"]) == 2 for steps in results)
    total = sum(steps[0]["count"] for steps in results)
    assert total == len({a for a, e in per_actor_events().items() if any(x[1] == "signup" for x in e)})


def test_funnel_breakdown_unordered(owner_client, world, data):  # noqa: F811
    filters = {"funnelOrderType": "unordered"}
    results = funnel(owner_client, world.team.id, breakdownFilter=BROWSER, funnelsFilter=filters)["results"]
    assert_breakdowns(results, expected_by_value("first_touch", order="unordered"))
    assert results[0][0]["name"] == "Completed 1 step"


def test_funnel_breakdown_person_property_of_merged_person(owner_client, world, data):  # noqa: F811
    breakdown = {"breakdown": "$browser", "breakdown_type": "person"}
    results = funnel(owner_client, world.team.id, breakdownFilter=breakdown)["results"]
    # No person has a $browser property: one bucket with everybody.
    assert [tuple(steps[0]["breakdown_value"]) for steps in results] == [("",)]
    assert [s["count"] for s in results[0]] == [s["count"] for s in funnel(owner_client, world.team.id)["results"]]
    assert EVENTS
