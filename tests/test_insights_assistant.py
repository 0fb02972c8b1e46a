"""The insight assistant: derived names/descriptions, result summaries, suggestions, the optional LLM client (against
real local HTTP servers), and the generate_metadata / analyze / suggestions actions through the API.
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from insights.api.views import AI_NOT_APPROVED, INVALID_QUERY_FORMAT, MISSING_QUERY
from insights.assistant import NO_RESULTS, analyze, generate_metadata, suggestions
from insights.assistant.analysis import EMPTY_RESULTS, UNREADABLE_RESULTS
from insights.assistant.labels import date_range_phrase, format_duration, format_number, format_percent
from insights.assistant.llm import chat_completion, chat_endpoint, parse_json_answer
from insights.assistant.source import INVALID_QUERY
from queries.schema import parse_query
from tests.query_helpers import capture_events, run_query

PAGEVIEW = {"kind": "EventsNode", "event": "$pageview"}
TRENDS = {"kind": "TrendsQuery", "series": [PAGEVIEW]}
VIZ_TRENDS = {"kind": "InsightVizNode", "source": TRENDS}
FUNNEL = {
    "kind": "FunnelsQuery",
    "series": [
        {"kind": "EventsNode", "event": "Sign up"},
        {"kind": "EventsNode", "event": "Add to cart"},
        {"kind": "EventsNode", "event": "Purchase"},
    ],
}
LIFECYCLE = {"kind": "LifecycleQuery", "series": [PAGEVIEW], "interval": "week"}
STICKINESS = {"kind": "StickinessQuery", "series": [PAGEVIEW], "dateRange": {"date_from": "-30d"}}
RETENTION = {"kind": "RetentionQuery", "retentionFilter": {"period": "Week", "totalIntervals": 4}}
PATHS = {"kind": "PathsQuery", "pathsFilter": {"includeEventTypes": ["$pageview"], "startPoint": "/home"}}


def trend_row(data, order=0, breakdown_value=None, compare_label=None, math="total", event="$pageview"):
    row = {
        "data": data,
        "labels": [f"{day}-Jan-2024" for day in range(1, len(data) + 1)],
        "days": [f"2024-01-{day:02d}" for day in range(1, len(data) + 1)],
        "count": float(sum(data)),
        "label": event,
        "action": {"order": order, "id": event, "math": math},
    }
    if breakdown_value is not None:
        row["breakdown_value"] = breakdown_value
    if compare_label:
        row.update({"compare": True, "compare_label": compare_label})
    return row


def cohort(index, counts):
    values = [{"count": count, "label": f"Week {period}"} for period, count in enumerate(counts)]
    return {"date": f"2024-01-{1 + 7 * index:02d}T00:00:00Z", "label": f"Week {index}", "values": values}


# ---- generate_metadata: names and descriptions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        (VIZ_TRENDS, "Pageview count"),
        (TRENDS, "Pageview count"),
        (
            {
                "kind": "TrendsQuery",
                "series": [{**PAGEVIEW, "math": "weekly_active"}],
                "interval": "week",
                "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
            },
            "Weekly active users by browser",
        ),
        ({"kind": "TrendsQuery", "series": [{**PAGEVIEW, "math": "dau"}]}, "Pageview unique users"),
        (
            {
                "kind": "TrendsQuery",
                "series": [{"kind": "EventsNode", "event": "purchase", "math": "sum", "math_property": "revenue"}],
            },
            "Purchase's revenue sum",
        ),
        (
            {"kind": "TrendsQuery", "series": [{**PAGEVIEW, "math": "avg_count_per_actor"}]},
            "Pageview count per user average",
        ),
        (
            {
                "kind": "TrendsQuery",
                "series": [PAGEVIEW, {"kind": "ActionsNode", "id": 4, "name": "Paid"}],
                "trendsFilter": {"formula": "B/A"},
            },
            "B/A on A. Pageview count & B. Paid count",
        ),
        ({"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "custom_name": "Visits"}]}, "Visits count"),
        ({"kind": "FunnelsQuery", "series": FUNNEL["series"][::2]}, "Sign up → Purchase conversion"),
        (
            {**FUNNEL, "funnelsFilter": {"funnelVizType": "time_to_convert", "funnelOrderType": "strict"}},
            "Sign up ⇉ Add to cart ⇉ Purchase time to convert",
        ),
        (RETENTION, "Pageview retention"),
        (
            {
                "kind": "RetentionQuery",
                "retentionFilter": {
                    "targetEntity": {"id": "Sign up", "type": "events"},
                    "returningEntity": {"id": "$pageview", "type": "events"},
                },
            },
            "Sign up → Pageview retention",
        ),
        (PATHS, "User paths starting at /home"),
        (STICKINESS, "Pageview stickiness"),
        (LIFECYCLE, "Pageview lifecycle"),
        ({"kind": "HogQLQuery", "query": "select event, count() from events group by event"}, "SQL query on events"),
        (
            {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": "select 1", "name": "One"}},
            "One",
        ),
        (
            {
                "kind": "DataTableNode",
                "source": {"kind": "EventsQuery", "select": ["event", "timestamp"], "event": "$pageview"},
            },
            "Pageview events: event, timestamp",
        ),
        ({"kind": "ActorsQuery", "search": "bob"}, "Persons matching 'bob'"),
    ],
)
def test_generate_metadata_names_every_query_kind(query, name):
    assert generate_metadata(query)["name"] == name


def test_generate_metadata_describes_measure_interval_range_breakdown_and_filters():
    query = {
        "kind": "TrendsQuery",
        "series": [{**PAGEVIEW, "math": "dau"}],
        "interval": "week",
        "dateRange": {"date_from": "-90d"},
        "breakdownFilter": {"breakdown": "$browser"},
        "properties": [{"key": "$geoip_country_code", "value": ["FR", "DE"], "operator": "exact", "type": "event"}],
        "filterTestAccounts": True,
    }
    assert generate_metadata(query)["description"] == (
        "Shows the number of unique users who did Pageview per week in the last 90 days, broken down by browser. "
        "Only events where country code = FR or DE are counted. Internal and test users are excluded."
    )


def test_generate_metadata_describes_funnels_and_retention():
    funnel = {
        **FUNNEL,
        "funnelsFilter": {
            "funnelWindowInterval": 1,
            "funnelWindowIntervalUnit": "hour",
            "exclusions": [{"kind": "EventsNode", "event": "$pageleave", "funnelFromStep": 0, "funnelToStep": 1}],
        },
    }
    assert generate_metadata(funnel)["description"] == (
        "Measures how many users go through Sign up, Add to cart and Purchase (in that order, within 1 hour) in the "
        "last 7 days. Conversions with Pageleave in between are excluded."
    )
    assert generate_metadata(RETENTION)["description"] == (
        "Shows what share of users who did Pageview come back to do it again in each following week, with weekly "
        "cohorts over the last 4 weeks."
    )


@pytest.mark.parametrize(
    ("date_range", "phrase"),
    [
        (None, "in the last 7 days"),
        ({"date_from": "-24h"}, "in the last 24 hours"),
        ({"date_from": "-1m"}, "in the last month"),
        ({"date_from": "mStart"}, "this month"),
        ({"date_from": "-1dStart", "date_to": "-1dEnd"}, "yesterday"),
        ({"date_from": "all"}, "across all time"),
        ({"date_from": "2024-01-01", "date_to": "2024-01-31"}, "from 2024-01-01 to 2024-01-31"),
        ({"date_from": "2024-01-01"}, "since 2024-01-01"),
    ],
)
def test_date_range_phrases(date_range, phrase):
    assert date_range_phrase(date_range) == phrase


@pytest.mark.parametrize("query", [None, "TrendsQuery", {}, {"kind": "Nope"}, {"kind": "TrendsQuery"}, [TRENDS]])
def test_generate_metadata_rejects_what_is_not_a_query(query):
    with pytest.raises(ValueError, match=INVALID_QUERY):
        generate_metadata(query)


def test_number_formats():
    assert [format_number(1234567), format_number(1234.5), format_number(2.0), format_number(0.125)] == [
        "1,234,567",
        "1,234.5",
        "2",
        "0.12",
    ]
    assert format_percent(0.25678) == "25.7%"
    assert [format_duration(45), format_duration(200), format_duration(7265), format_duration(90000)] == [
        "45s",
        "3m 20s",
        "2h 1m",
        "1d 1h",
    ]


# ---- analyze --------------------------------------------------------------------------------------------


def test_analyze_without_results_asks_for_a_refresh_and_ignores_invalid_queries():
    assert analyze(VIZ_TRENDS, None) == NO_RESULTS
    assert analyze(VIZ_TRENDS, {"result": None}) == NO_RESULTS
    assert analyze(VIZ_TRENDS, {"results": []}) == EMPTY_RESULTS
    assert analyze({"kind": "Nope"}, {"results": [trend_row([1])]}) == ""


@pytest.mark.parametrize(
    ("query", "results"),
    [
        (LIFECYCLE, [[1, 2]]),
        (STICKINESS, [{"data": "abc"}]),
        (PATHS, [{"value": 3}]),
        (RETENTION, [None]),
        (FUNNEL, [{"count": "many"}]),
    ],
)
def test_analyze_unreadable_cached_result_is_reported_and_logged(query, results, caplog):
    assert analyze(query, {"results": results}) == UNREADABLE_RESULTS
    assert "insights_analyze_unreadable_result" in caplog.text


def test_analyze_trend_total_direction_peak_and_trough():
    data = [1000, 1200, 900, 1100, 2000, 2100, 1900, 2300]
    text = analyze(VIZ_TRENDS, {"results": [trend_row(data)]})
    assert text == (
        "Pageview count: 12,500 in total over 8 days (about 1,562.5 per day). It trended up: +97.6% in the second "
        "half of the period vs the first. Peak: 2,300 on 8-Jan-2024; low: 900 on 3-Jan-2024."
    )


def test_analyze_trend_flat_and_down():
    assert "roughly flat (+2.0%" in analyze(TRENDS, {"results": [trend_row([100, 100, 102, 102])]})
    assert "It trended down: -50.0%" in analyze(TRENDS, {"results": [trend_row([40, 40, 20, 20])]})


def test_analyze_trend_compares_with_previous_period():
    query = {**TRENDS, "compareFilter": {"compare": True}}
    rows = [trend_row([30, 30, 40, 50], compare_label="current"), trend_row([20, 20, 30, 30], compare_label="previous")]
    assert analyze(query, {"results": rows}).endswith("That is 50.0% more than the previous period (100).")
    rows[1] = trend_row([100, 100, 100, 100], compare_label="previous")
    assert analyze(query, {"results": rows}).endswith("That is 62.5% less than the previous period (400).")


def test_analyze_trend_breakdown_leaders_with_shares():
    query = {**TRENDS, "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"}}
    rows = [
        trend_row([300, 500], breakdown_value="Chrome"),
        trend_row([100, 100], breakdown_value="Firefox"),
        trend_row([0, 0], breakdown_value="$$_posthog_breakdown_other_$$"),
        trend_row([50, 50], breakdown_value="Safari"),
    ]
    text = analyze(query, {"results": rows})
    assert text.startswith("Pageview count: 1,100 in total over 2 days")
    assert text.endswith(
        "By browser, Chrome (800, 72.7%) leads, followed by Firefox (200, 18.2%) and Safari (100, 9.1%)."
    )


def test_analyze_non_additive_math_reports_average_and_latest_not_a_sum():
    query = {"kind": "TrendsQuery", "series": [{**PAGEVIEW, "math": "dau"}]}
    text = analyze(query, {"results": [trend_row([10, 20, 30, 40], math="dau")]})
    assert text.startswith("Pageview unique users: averages 25 per day over 4 days, latest 40.")


def test_analyze_total_value_display_uses_aggregated_value():
    query = {**TRENDS, "trendsFilter": {"display": "BoldNumber"}}
    row = {"data": [], "days": [], "count": 0, "aggregated_value": 4321, "action": {"order": 0}, "label": "$pageview"}
    assert analyze(query, {"results": [row]}) == "Pageview count: 4,321."


def test_analyze_funnel_overall_conversion_and_biggest_drop_off():
    steps = [
        {"name": "Sign up", "count": 1000, "order": 0},
        {"name": "Add to cart", "count": 400, "order": 1, "average_conversion_time": 600},
        {"name": "Purchase", "count": 250, "order": 2, "average_conversion_time": 7265},
    ]
    assert analyze({"kind": "InsightVizNode", "source": FUNNEL}, {"results": steps}) == (
        "1,000 users entered at Sign up and 250 reached Purchase: 25.0% overall conversion. The biggest drop-off is "
        "from Sign up to Add to cart, where 60.0% (600 users) did not continue. Those who converted took 2h 1m on "
        "average to reach the last step."
    )


def test_analyze_funnel_breakdown_and_time_to_convert():
    query = {**FUNNEL, "breakdownFilter": {"breakdown": "$browser"}}
    groups = [
        [{"count": 100, "breakdown_value": ["Chrome"]}, {"count": 50}, {"count": 30, "breakdown_value": ["Chrome"]}],
        [{"count": 40, "breakdown_value": ["Safari"]}, {"count": 20}, {"count": 4}],
    ]
    assert analyze(query, {"results": groups}) == (
        "By browser, Chrome converts best (30.0%) and Safari worst (10.0%), across 2 breakdown values."
    )
    ttc = {**FUNNEL, "funnelsFilter": {"funnelVizType": "time_to_convert"}}
    result = {"bins": [[60, 5], [3600, 20], [7200, 3]], "average_conversion_time": 3000}
    assert analyze(ttc, {"results": result}) == (
        "28 users converted, taking 50m on average. The most common time to convert is around 1h (20 users)."
    )


def test_analyze_retention_period_one_rate_and_trend():
    cohorts = [cohort(0, [100, 50, 40, 30]), cohort(1, [80, 30, 20]), cohort(2, [50, 10]), cohort(3, [20])]
    assert analyze(RETENTION, {"results": cohorts}) == (
        "4 cohorts with 250 users in total. Week 1 retention is 39.1% on average, declining from 50.0% in earlier "
        "cohorts to 20.0% in later ones. The best cohort is Week 0 at 50.0%."
    )


def test_analyze_lifecycle_quick_ratio_and_stickiness_distribution():
    rows = [
        {"status": status, "data": data, "count": float(sum(data))}
        for status, data in [("new", [5, 5]), ("returning", [10, 12]), ("resurrecting", [2, 3]), ("dormant", [-4, -3])]
    ]
    assert analyze(LIFECYCLE, {"results": rows}) == (
        "Over the period: 10 new, 22 returning, 5 resurrecting and 7 dormant users. The quick ratio (new + "
        "resurrecting vs dormant) is 2.14, so the active base is growing."
    )
    sticky = [{"data": [10, 5, 3, 2], "label": "$pageview", "action": {"order": 0}}]
    assert analyze({**STICKINESS, "intervalCount": None}, {"results": sticky}) == (
        "Pageview: 20 users, active on 1.9 days on average; most were active on 1 day, and 25.0% on at least half "
        "of the days."
    )


def test_analyze_paths_top_edge_and_start():
    edges = [
        {"source": "1_/home", "target": "2_/pricing", "value": 50},
        {"source": "1_/blog", "target": "2_/home", "value": 20},
        {"source": "2_/pricing", "target": "3_/signup", "value": 30},
    ]
    assert analyze(PATHS, {"results": edges}) == (
        "The most travelled step is /home → /pricing (50 users). Most paths start at /home (50 users). The chart "
        "shows 3 path steps."
    )


# ---- suggestions ----------------------------------------------------------------------------------------


def assert_valid(items):
    for item in items:
        assert set(item) == {"title", "description", "query"}
        assert item["query"]["kind"] == "InsightVizNode"
        parse_query(item["query"])  # raises if the schema rejects it


def test_suggestions_for_a_trend_breakdown_funnel_interval_math_compare():
    query = {
        "kind": "InsightVizNode",
        "source": {**TRENDS, "series": [PAGEVIEW, {"kind": "EventsNode", "event": "Sign up"}]},
    }
    items = suggestions(query, None)
    assert_valid(items)
    assert [item["title"] for item in items] == [
        "Pageview count & Sign up count, by browser",
        "Pageview → Sign up conversion",
        "Pageview count & Sign up count (per week)",
        "Pageview unique users & Sign up unique users",
        "Pageview count & Sign up count (vs previous period)",
    ]
    funnel = items[1]["query"]["source"]
    assert funnel["series"] == [PAGEVIEW, {"kind": "EventsNode", "event": "Sign up"}]


def test_suggestions_breakdown_avoids_current_and_prefers_context_and_filtered_properties():
    broken_down = {**TRENDS, "breakdownFilter": {"breakdown": "$browser"}}
    assert suggestions(broken_down, None)[0]["query"]["source"]["breakdownFilter"]["breakdown"] == "$os"
    filtered = {**TRENDS, "properties": [{"key": "plan", "value": "pro", "operator": "exact", "type": "event"}]}
    assert suggestions(filtered, None)[0]["title"] == "Pageview count by plan"
    assert suggestions(TRENDS, None, context={"breakdown": "$pathname"})[0]["title"] == "Pageview count by path name"


def test_suggestions_for_funnel_retention_lifecycle_stickiness_and_paths_all_validate():
    funnel_titles = [item["title"] for item in suggestions(FUNNEL, None)]
    assert funnel_titles == [
        "Sign up count",
        "Sign up → Add to cart → Purchase time to convert",
        "Sign up → Add to cart → Purchase conversion by browser",
        "Sign up → Add to cart → Purchase conversion trend",
    ]
    retention = suggestions(RETENTION, None)
    assert retention[0]["query"]["source"]["dateRange"] == {"date_from": "-4w"}
    assert retention[2]["title"] == "Pageview retention (monthly cohorts)"
    edges = {"results": [{"source": "1_/home", "target": "2_/pricing", "value": 9}]}
    paths = suggestions(PATHS, edges)
    assert paths[1]["query"]["source"]["pathsFilter"]["startPoint"] == "/pricing"
    for query, response in [(FUNNEL, None), (RETENTION, None), (LIFECYCLE, None), (STICKINESS, None), (PATHS, edges)]:
        items = suggestions(query, response)
        assert len(items) >= 2
        assert_valid(items)


def test_suggestions_ignore_malformed_context_and_results():
    items = suggestions(PATHS, {"results": "oops"}, context={"properties": 5, "breakdown": {"x": 1}})
    assert [item["title"] for item in items] == ["Pageview count by path name"]
    assert suggestions(TRENDS, None, context="by browser")[0]["title"] == "Pageview count by browser"


def test_suggestions_are_empty_for_non_insight_queries():
    assert suggestions({"kind": "HogQLQuery", "query": "select 1"}, None) == []
    assert suggestions({"kind": "Nope"}, None) == []
    assert suggestions(None, None) == []


# ---- the optional LLM client, against real local HTTP servers -------------------------------------------


class _ChatHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        time.sleep(self.server.delay)
        payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": self.server.answer}}]}
        data = json.dumps(payload).encode() if self.server.status == 200 else b"{}"
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def llm_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatHandler)
    server.requests, server.answer, server.delay, server.status = [], "", 0.0, 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_chat_endpoint_and_json_answer_parsing():
    assert chat_endpoint("http://h/v1/") == "http://h/v1/chat/completions"
    assert chat_endpoint("http://h/v1/chat/completions") == "http://h/v1/chat/completions"
    assert parse_json_answer('```json\n{"name": "x"}\n```') == {"name": "x"}
    assert parse_json_answer("not json") is None
    assert parse_json_answer("[1]") is None


def test_llm_unset_means_no_request(settings, llm_server):
    settings.INSIGHTS_LLM_URL = None
    assert generate_metadata(TRENDS) == {
        "name": "Pageview count",
        "description": "Shows the number of Pageview events per day in the last 7 days.",
    }
    assert llm_server.requests == []


def test_llm_closed_port_falls_back_to_deterministic_answers(settings, closed_port_url, caplog):
    settings.INSIGHTS_LLM_URL = closed_port_url
    assert generate_metadata(TRENDS)["name"] == "Pageview count"
    assert analyze(TRENDS, {"results": [trend_row([1, 2])]}).startswith("Pageview count: 3 in total")
    assert "insights_llm_failed" in caplog.text and "URLError" in caplog.text


def test_llm_happy_path_uses_the_answer_and_sends_model_and_key(settings, llm_server):
    settings.INSIGHTS_LLM_URL, settings.INSIGHTS_LLM_MODEL, settings.INSIGHTS_LLM_API_KEY = (
        llm_server.url,
        "tiny-model",
        "sk-test",
    )
    llm_server.answer = '```json\n{"name": "Daily pageviews", "description": "How many pages are viewed."}\n```'
    assert generate_metadata(VIZ_TRENDS) == {"name": "Daily pageviews", "description": "How many pages are viewed."}
    request = llm_server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "tiny-model"
    assert "Pageview count" in request["body"]["messages"][1]["content"]  # the deterministic draft is sent along
    llm_server.answer = "Pageviews doubled."
    assert analyze(TRENDS, {"results": [trend_row([1, 2])]}) == "Pageviews doubled."
    assert analyze(TRENDS, None) == NO_RESULTS  # nothing computed: no request
    assert len(llm_server.requests) == 2


def test_llm_bad_answers_timeouts_and_http_errors_fall_back(settings, llm_server):
    settings.INSIGHTS_LLM_URL = llm_server.url
    llm_server.answer = "Sure! Here is a name: Pageviews"
    assert generate_metadata(TRENDS)["name"] == "Pageview count"
    llm_server.status = 500
    assert analyze(TRENDS, {"results": [trend_row([1, 2])]}).startswith("Pageview count: 3 in total")
    llm_server.status, llm_server.delay, llm_server.answer = 200, 0.5, "late"
    assert chat_completion("system", "user", timeout=0.1) is None


# ---- the three actions through the API ------------------------------------------------------------------

EVENTS = [
    (
        "$pageview",
        f"user{index % 3}",
        {"$browser": "Chrome" if index % 2 else "Safari"},
        f"2024-01-0{day}T10:0{index}:00Z",
    )
    for day, per_day in ((1, 1), (2, 2), (3, 4), (4, 5))
    for index in range(per_day)
]
DATED_TRENDS = {**TRENDS, "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-04"}}


def insights_url(team_id: int, suffix: str = "") -> str:
    return f"/api/projects/{team_id}/insights/{suffix}"


@pytest.fixture
def saved_insight(owner_client, world, clickhouse, client):
    capture_events(client, world.team, EVENTS)
    body = {"name": "Pageviews", "query": {"kind": "InsightVizNode", "source": DATED_TRENDS}}
    response = owner_client.post(insights_url(world.team.id), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_generate_metadata_endpoint(owner_client, world, settings):
    settings.INSIGHTS_LLM_URL = None
    team_url = insights_url(world.team.id, "generate_metadata/")
    response = owner_client.post(team_url, {"query": FUNNEL}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Sign up → Add to cart → Purchase conversion"
    assert owner_client.post(team_url, {}, format="json").json()["detail"] == MISSING_QUERY
    bad = owner_client.post(team_url, {"query": {"kind": "TrendsQuery", "series": "x"}}, format="json")
    assert (bad.status_code, bad.json()["detail"]) == (400, INVALID_QUERY_FORMAT)


def test_generate_metadata_endpoint_with_llm_needs_ai_approval(owner_client, world, settings, llm_server):
    settings.INSIGHTS_LLM_URL = llm_server.url
    llm_server.answer = '{"name": "Funnel to purchase", "description": "Sign-up to purchase conversion."}'
    team_url = insights_url(world.team.id, "generate_metadata/")
    denied = owner_client.post(team_url, {"query": FUNNEL}, format="json")
    assert (denied.status_code, denied.json()["detail"]) == (403, AI_NOT_APPROVED)
    world.organization.is_ai_data_processing_approved = True
    world.organization.save()
    assert owner_client.post(team_url, {"query": FUNNEL}, format="json").json()["name"] == "Funnel to purchase"


def test_analyze_endpoint_summarises_cached_results(owner_client, outsider_client, world, saved_insight, settings):
    settings.INSIGHTS_LLM_URL = None
    analyze_url = insights_url(world.team.id, f"{saved_insight['id']}/analyze/")
    assert owner_client.get(analyze_url).json() == {"result": NO_RESULTS}
    refreshed = owner_client.get(insights_url(world.team.id, f"{saved_insight['id']}/?refresh=blocking")).json()
    assert refreshed["result"][0]["data"] == [1, 2, 4, 5]
    assert owner_client.get(analyze_url).json()["result"] == (
        "Pageview count: 12 in total over 4 days (about 3 per day). It trended up: +200.0% in the second half of "
        "the period vs the first. Peak: 5 on 4-Jan-2024; low: 1 on 1-Jan-2024."
    )
    assert outsider_client.get(analyze_url).status_code in (403, 404)


def test_suggestions_endpoint_get_and_post_with_context(owner_client, world, saved_insight, settings):
    settings.INSIGHTS_LLM_URL = None
    suggestions_url = insights_url(world.team.id, f"{saved_insight['id']}/suggestions/")
    items = owner_client.get(suggestions_url).json()
    assert_valid(items)
    assert items[0]["title"] == "Pageview count by browser"
    posted = owner_client.post(suggestions_url, {"context": {"breakdown": "$os"}}, format="json").json()
    assert posted[0]["title"] == "Pageview count by OS"
    query = {"kind": "InsightVizNode", "source": posted[0]["query"]["source"]}
    created = owner_client.post(insights_url(world.team.id), {"query": query}, format="json")
    assert created.status_code == 201  # a suggestion can be saved as an insight as it is


# ---- analyze over real runner responses (POST /query/) ---------------------------------------------------

VISITS = {
    "u1": [("01", "home"), ("01", "pricing"), ("02", "home"), ("03", "home"), ("04", "home")],
    "u2": [("01", "home"), ("01", "pricing"), ("03", "home")],
    "u3": [("02", "blog"), ("02", "home")],
    "u4": [("03", "home"), ("04", "home")],
}
JAN_1_TO_4 = {"date_from": "2024-01-01", "date_to": "2024-01-04"}


@pytest.fixture
def visits(client, world, clickhouse):
    events = [
        ("$pageview", user, {"$current_url": f"https://x.test/{page}"}, f"2024-01-{day}T10:0{minute}:00Z")
        for user, pages in VISITS.items()
        for minute, (day, page) in enumerate(pages)
    ]
    capture_events(client, world.team, events)


def analyze_via_query_api(api_client, team_id: int, source: dict) -> str:
    query = {"kind": "InsightVizNode", "source": source}
    response = run_query(api_client, team_id, query)
    assert response.status_code == 200, response.json()
    return analyze(query, response.json())


def test_analyze_real_trends_compare_response(owner_client, world, visits):
    source = {**TRENDS, "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-04"}}
    text = analyze_via_query_api(owner_client, world.team.id, {**source, "compareFilter": {"compare": True}})
    # Jan 3: u1, u2, u4; Jan 4: u1, u4 -> 5; the previous period Jan 1-2 has 4 + 3 = 7.
    assert text.startswith("Pageview count: 5 in total over 2 days (about 2.5 per day). It trended down: -33.3%")
    assert text.endswith("That is 28.6% less than the previous period (7).")


def test_analyze_real_stickiness_response(owner_client, world, visits):
    text = analyze_via_query_api(owner_client, world.team.id, {**STICKINESS, "dateRange": JAN_1_TO_4})
    # Active days: u1 4, u2 2, u3 1, u4 2 -> [1, 2, 0, 1] users on 1..4 days, 9 / 4 = 2.25 days on average.
    assert text == (
        "Pageview: 4 users, active on 2.2 days on average; most were active on 2 days, and 25.0% on at least half "
        "of the days."
    )


def test_analyze_real_paths_response(owner_client, world, visits):
    source = {"kind": "PathsQuery", "pathsFilter": {"includeEventTypes": ["$pageview"]}, "dateRange": JAN_1_TO_4}
    text = analyze_via_query_api(owner_client, world.team.id, source)
    # Sessions with two pages: u1 and u2 on Jan 1 (home -> pricing), u3 on Jan 2 (blog -> home).
    assert text == (
        "The most travelled step is https://x.test/home → https://x.test/pricing (2 users). Most paths start at "
        "https://x.test/home (2 users). The chart shows 2 path steps."
    )


def test_analyze_real_lifecycle_and_retention_responses(owner_client, world, visits):
    lifecycle = {"kind": "LifecycleQuery", "series": [PAGEVIEW], "dateRange": JAN_1_TO_4}
    # New: u1, u2 (Jan 1), u3 (Jan 2), u4 (Jan 3); returning: u1 Jan 2-4, u4 Jan 4; resurrecting: u2 Jan 3;
    # dormant: u2 Jan 2, u3 Jan 3, u2 Jan 4.
    assert analyze_via_query_api(owner_client, world.team.id, lifecycle) == (
        "Over the period: 4 new, 4 returning, 1 resurrecting and 3 dormant users. The quick ratio (new + "
        "resurrecting vs dormant) is 1.67, so the active base is growing."
    )
    retention = {
        "kind": "RetentionQuery",
        "retentionFilter": {"period": "Day", "totalIntervals": 4},
        "dateRange": JAN_1_TO_4,
    }
    # Recurring cohorts: Jan 1 {u1, u2}, Jan 2 {u1, u3}, Jan 3 {u1, u2, u4}, Jan 4 {u1, u4}; back the next day:
    # 1 of 2, 1 of 2, 2 of 3 (the Jan 4 cohort has no next day yet) -> 4 / 7.
    assert analyze_via_query_api(owner_client, world.team.id, retention) == (
        "4 cohorts with 9 users in total. Day 1 retention is 57.1% on average, improving from 50.0% in earlier "
        "cohorts to 66.7% in later ones. The best cohort is Day 2 at 66.7%."
    )
