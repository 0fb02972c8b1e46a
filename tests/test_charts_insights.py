"""Retention, lifecycle, stickiness and paths pictures."""

from charts import samples as s
from tests.charts_helpers import texts_of


def test_retention_table_shares_of_each_cohort_and_mean_row():
    texts = texts_of(s.retention_query(intervals=3), s.retention_result(intervals=3))
    assert texts[:5] == ["Cohort", "Size", "Day 0", "Day 1", "Day 2"]
    # cohort 0: 100 actors, then int(100*.55*.8)=44 and int(100*.55*.64)=35; cohort 2 has only day 0
    assert texts[5:10] == ["Mean", "126", "100%", "43.8%", "35%"]
    assert texts[10:15] == ["Jan 1, 2024", "100", "100%", "44%", "35%"]
    assert texts[-3:] == ["Jan 3, 2024", "152", "100%"]


def test_retention_cohort_dates_in_project_timezone():
    texts = texts_of(s.retention_query(intervals=2), s.retention_result(intervals=2), timezone="America/New_York")
    assert "Dec 31, 2023" in texts and "Jan 1, 2024" in texts


def test_retention_hourly_cohorts_show_times():
    result = s.retention_result(intervals=2)
    result["results"][1]["date"] = "2024-01-01T01:00:00Z"
    texts = texts_of(s.retention_query(period="Hour", intervals=2), result)
    assert "Jan 1, 00:00" in texts and "Jan 1, 01:00" in texts


def test_retention_previous_reference_and_hidden_size():
    query = s.retention_query(intervals=3)
    query["source"]["retentionFilter"]["retentionReference"] = "previous"
    query["vizSpecificOptions"] = {"RETENTION": {"hideSizeColumn": True}}
    texts = texts_of(query, s.retention_result(intervals=3))
    assert texts[:4] == ["Cohort", "Day 0", "Day 1", "Day 2"]
    assert texts[8:12] == ["Jan 1, 2024", "100%", "44%", "79.5%"]  # 35 / 44


def test_retention_breakdown_rows_sum_their_cohorts():
    rows = []
    for value, sizes in (("Chrome", (10, 20)), ("Safari", (5, 5))):
        for cohort, size in enumerate(sizes):
            values = [{"count": size, "label": "Day 0"}, {"count": size // 2 if cohort == 0 else 0, "label": "Day 1"}]
            rows.append(
                {
                    "date": f"2024-01-0{cohort + 1}T00:00:00Z",
                    "label": f"Day {cohort}",
                    "breakdown_value": value,
                    "values": values,
                }
            )
    texts = texts_of(s.retention_query(intervals=2), {"results": rows})
    assert texts == [
        "Breakdown",
        "Size",
        "Day 0",
        "Day 1",
        "Chrome",
        "30",
        "100%",
        "50%",
        "Safari",
        "10",
        "100%",
        "40%",
    ]


def test_lifecycle_statuses_in_posthog_colours_with_dormant_below_zero():
    from charts.palette import LIFECYCLE_COLORS

    svg_texts = texts_of(s.lifecycle_query(), s.lifecycle_result(days=5))
    assert svg_texts[-5:] == ["Timezone: UTC", "New", "Returning", "Resurrecting", "Dormant"]
    assert "1-Jan-2024" in svg_texts
    assert not [t for t in svg_texts if t.startswith("-") or t.startswith("−")]  # the axis reads actors, not signs
    from charts import render_svg

    svg = render_svg(s.lifecycle_query(), s.lifecycle_result(days=5))
    for color in LIFECYCLE_COLORS.values():
        assert f"fill: {color}" in svg


def test_lifecycle_toggled_statuses_only():
    query = s.lifecycle_query()
    query["source"]["lifecycleFilter"] = {"toggledLifecycles": ["new", "dormant"]}
    texts = texts_of(query, s.lifecycle_result(days=5))
    assert "New" in texts and "Dormant" in texts and "Returning" not in texts


def test_stickiness_line_and_bar_label_the_intervals():
    for display in (None, "ActionsBar"):
        texts = texts_of(s.stickiness_query(display), s.stickiness_result(size=5))
        assert texts[:5] == ["1 day", "2 days", "3 days", "4 days", "5 days"]
        assert "Timezone: UTC" not in texts


def test_paths_nodes_carry_names_and_actor_counts():
    texts = texts_of(s.paths_query(), s.paths_result())
    assert {"/home  120", "/blog  12", "/pricing  57", "/docs  41", "/signup  30", "/onboarding  21"} <= set(texts)


def test_paths_without_step_prefixes_fall_back_to_a_ranked_table():
    result = {
        "results": [
            {"source": "/a", "target": "/b", "value": 5, "average_conversion_time": 61000.0},
            {"source": "/b", "target": "/c", "value": 9, "average_conversion_time": None},
        ]
    }
    texts = texts_of(s.paths_query(), result)
    assert texts == ["Source", "Target", "Transitions", "Average time", "/b", "/c", "9", "–", "/a", "/b", "5", "1m 1s"]
