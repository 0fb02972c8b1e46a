"""Property filters of every operator and element filters, run through POST /query/ with an EventsQuery.

Each case names the events that must come back, so the filter's meaning is pinned, not only its SQL.
"""

import pytest

from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

BUTTON = [
    {"tag_name": "button", "attr__class": ["primary", "btn"], "$el_text": "Sign up", "attr__data-attr": "signup"},
    {"tag_name": "form", "attr__class": ["signup-form"]},
    {"tag_name": "div", "attr__class": ["page"]},
    {"tag_name": "body"},
]
LINK = [
    {"tag_name": "a", "attr__class": ["nav-link"], "$el_text": "Pricing", "href": "/pricing", "attr__href": "/pricing"},
    {"tag_name": "nav", "attr__class": ["navbar"]},
    {"tag_name": "body"},
]
EVENTS = [
    ("e1", {"plan": "free", "amount": 5, "$browser": "Chrome", "signup_date": "2024-01-01"}),
    ("e2", {"plan": "pro", "amount": 50, "$browser": "Firefox", "signup_date": "2024-02-15"}),
    ("e3", {"plan": "enterprise", "amount": 500, "$browser": "Safari", "signup_date": "2024-03-30"}),
    ("e4", {"plan": "pro_trial", "amount": 0}),
    ("click_button", {"$elements": BUTTON}),
    ("click_link", {"$elements": LINK}),
]


@pytest.fixture
def data_team(client, world):
    rows = [(name, f"user-{i}", props, f"2024-05-01T10:0{i}:00Z") for i, (name, props) in enumerate(EVENTS)]
    capture_events(client, world.team, rows)
    capture_events(client, world.other_team, [("e1", "mallory", {"plan": "free"}, "2024-05-01T10:00:00Z")])
    return world.team


def matching(owner_client, data_team, properties) -> list[str]:
    query = {
        "kind": "EventsQuery",
        "select": ["event"],
        "properties": properties,
        "after": "2024-04-01",
        "before": "2024-06-01",
        "orderBy": ["event"],
    }
    response = run_query(owner_client, data_team.id, query)
    assert response.status_code == 200, response.json()
    return sorted(row[0] for row in response.json()["results"])


def prop(key, operator, value=None, type="event"):
    item = {"key": key, "operator": operator, "type": type}
    if value is not None:
        item["value"] = value
    return item


CASES = [
    (prop("plan", "exact", "pro"), ["e2"]),
    (prop("plan", "exact", ["pro", "free"]), ["e1", "e2"]),
    (prop("plan", "exact", ["pro"]), ["e2"]),
    (prop("plan", "exact", []), [name for name, _ in EVENTS]),
    (prop("plan", "is_not", ["pro", "free"]), ["click_button", "click_link", "e3", "e4"]),
    (prop("plan", "in", ["enterprise", "pro_trial"]), ["e3", "e4"]),
    (prop("plan", "not_in", ["enterprise"]), ["click_button", "click_link", "e1", "e2", "e4"]),
    (prop("plan", "icontains", "PRO"), ["e2", "e4"]),
    (prop("plan", "icontains", "o_t"), ["e4"]),
    (prop("plan", "not_icontains", "pro"), ["click_button", "click_link", "e1", "e3"]),
    (prop("plan", "regex", "^(free|enterprise)$"), ["e1", "e3"]),
    (prop("plan", "not_regex", "^pro"), ["click_button", "click_link", "e1", "e3"]),
    (prop("amount", "gt", 5), ["e2", "e3"]),
    (prop("amount", "gte", 5), ["e1", "e2", "e3"]),
    (prop("amount", "lt", 50), ["e1", "e4"]),
    (prop("amount", "lte", 50), ["e1", "e2", "e4"]),
    (prop("amount", "min", 50), ["e2", "e3"]),
    (prop("amount", "max", 5), ["e1", "e4"]),
    (prop("amount", "between", [5, 50]), ["e1", "e2"]),
    (prop("amount", "not_between", [5, 50]), ["e3", "e4"]),
    (prop("plan", "is_set"), ["e1", "e2", "e3", "e4"]),
    (prop("plan", "is_not_set"), ["click_button", "click_link"]),
    (prop("signup_date", "is_date_before", "2024-02-01"), ["e1"]),
    (prop("signup_date", "is_date_after", "2024-02-01"), ["e2", "e3"]),
    (prop("event", "exact", "e3", type="event_metadata"), ["e3"]),
    (prop("tag_name", "exact", "button", type="element"), ["click_button"]),
    (prop("tag_name", "exact", ["a", "button"], type="element"), ["click_button", "click_link"]),
    (prop("tag_name", "is_not", "button", type="element"), ["click_link", "e1", "e2", "e3", "e4"]),
    (prop("selector", "exact", "button.primary", type="element"), ["click_button"]),
    (prop("selector", "exact", "button.btn.primary", type="element"), ["click_button"]),
    (prop("selector", "exact", "button.secondary", type="element"), []),
    (prop("selector", "exact", "[data-attr='signup']", type="element"), ["click_button"]),
    (prop("selector", "exact", "form > button", type="element"), ["click_button"]),
    (prop("selector", "exact", "div > button", type="element"), []),
    (prop("selector", "exact", "div button", type="element"), ["click_button"]),
    (prop("selector", "exact", "nav a.nav-link", type="element"), ["click_link"]),
    (prop("text", "exact", "Sign up", type="element"), ["click_button"]),
    (prop("text", "icontains", "pric", type="element"), ["click_link"]),
    (prop("href", "exact", "/pricing", type="element"), ["click_link"]),
    (prop("href", "regex", "^/pri", type="element"), ["click_link"]),
]


@pytest.mark.parametrize(("filter_", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_property_filter_selects_the_expected_events(owner_client, data_team, filter_, expected):
    assert matching(owner_client, data_team, [filter_]) == sorted(expected)


@pytest.mark.parametrize(
    ("filter_", "message"),
    [
        (prop("amount", "between", [50, 5]), "between operator requires min value to be less than or equal to max"),
        (prop("amount", "between", [5]), "between operator requires a two-element array [min, max]"),
        (prop("amount", "not_between", ["a", "b"]), "not_between operator requires numeric values"),
        (prop("tag_name", "icontains", "but", type="element"), "support only the operators exact and is_not"),
        (prop("nothing", "exact", "x", type="element"), "Input should be 'tag_name', 'text', 'href' or 'selector'"),
        (prop("selector", "exact", "button >", type="element"), "Unsupported selector"),
        (prop("amount", "gt", "many"), "needs a number"),
        (prop("id", "in", 3, type="cohort"), "Could not find cohort with ID 3"),
    ],
)
def test_bad_property_filter_answers_400(owner_client, data_team, filter_, message):
    query = {"kind": "EventsQuery", "select": ["event"], "properties": [filter_]}
    response = run_query(owner_client, data_team.id, query)
    assert response.status_code == 400, response.json()
    assert message in response.json()["detail"]
