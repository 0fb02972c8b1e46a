"""The published OpenAPI schema tells the truth: nullable fields, list shapes as served, documented error responses."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

ERROR_REF = "#/components/schemas/ErrorResponse"


@pytest.fixture(scope="module")
def openapi(django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def _codes(openapi: dict, path: str, method: str) -> set[str]:
    return set(openapi["paths"][path][method]["responses"])


def test_error_response_is_one_shared_component_in_posthogs_shape(openapi):
    error = openapi["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["attr", "code", "detail", "type"]
    assert error["properties"]["attr"]["nullable"] is True
    response = openapi["paths"]["/api/projects/{project_id}/insights/"]["get"]["responses"]["403"]
    assert response["content"]["application/json"]["schema"]["$ref"] == ERROR_REF


def test_every_operation_documents_its_error_responses(openapi):
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if not any(code.startswith(("4", "5")) for code in operation["responses"])
    ]
    assert undocumented == []


def test_error_codes_follow_what_each_operation_can_answer(openapi):
    base = "/api/projects/{project_id}"
    assert _codes(openapi, f"{base}/query/", "post") == {"200", "202", "400", "401", "403", "404", "413", "429", "503"}
    # A throttled, ClickHouse-backed read with query parameters; no body, so no 413.
    assert _codes(openapi, f"{base}/events/", "get") == {"200", "400", "401", "403", "404", "429", "503"}
    # Persons live in PostgreSQL: no 503.
    assert "503" not in _codes(openapi, f"{base}/persons/", "get")
    assert {"400", "401", "403", "404", "413", "429"} <= _codes(openapi, f"{base}/actions/{{id}}/", "patch")
    assert "503" in _codes(openapi, f"{base}/dashboards/{{id}}/", "get")
    assert "409" in _codes(openapi, "/api/projects/{id}/", "patch") and "409" not in _codes(
        openapi, "/api/projects/{id}/", "get"
    )
    # Login is anonymous and never throttled: bad input and oversized bodies only.
    assert _codes(openapi, "/api/login/", "post") == {"200", "400", "413"}


def test_action_bytecode_error_is_nullable(openapi):
    action = openapi["components"]["schemas"]["Action"]["properties"]
    assert action["bytecode_error"] == {"type": "string", "nullable": True, "readOnly": True}
    assert action["creation_context"]["nullable"] is True


def test_events_and_persons_list_shapes_are_what_the_views_answer(openapi):
    schemas = openapi["components"]["schemas"]
    events = openapi["paths"]["/api/projects/{project_id}/events/"]["get"]
    assert events["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/PaginatedEventList")
    assert schemas["PaginatedEventList"]["required"] == ["next", "results"]
    assert set(schemas["PaginatedEventList"]["properties"]) == {"next", "results"}
    persons = schemas["PaginatedPersonList"]
    assert persons["required"] == ["next", "previous", "results"] and "count" in persons["properties"]
    assert schemas["PersonActor"]["properties"]["id"]["format"] == "uuid"
    parameters = {parameter["name"] for parameter in events["parameters"]}
    assert {"after", "before", "event", "properties", "orderBy", "limit"} <= parameters


def test_a_bodiless_404_the_view_documents_is_kept(openapi):
    # A missing insight's activity is an empty 404, as PostHog answers it; the shared error body must not claim one.
    responses = openapi["paths"]["/api/projects/{project_id}/insights/{id}/activity/"]["get"]["responses"]
    assert "content" not in responses["404"] and "content" in responses["403"]


def test_insight_list_and_retrieve_document_the_basic_rendering(openapi):
    either = {"#/components/schemas/Insight", "#/components/schemas/InsightBasic"}
    items = openapi["components"]["schemas"]["PaginatedInsightList"]["properties"]["results"]["items"]
    assert {option["$ref"] for option in items["anyOf"]} == either
    retrieve = openapi["paths"]["/api/projects/{project_id}/insights/{id}/"]["get"]["responses"]["200"]
    assert {option["$ref"] for option in retrieve["content"]["application/json"]["schema"]["anyOf"]} == either


def test_query_request_names_the_kinds_it_runs_and_gives_examples(openapi):
    body = openapi["paths"]["/api/projects/{project_id}/query/"]["post"]["requestBody"]["content"]["application/json"]
    assert {"TrendsQuery", "HogQLQuery", "InsightVizNode"} <= set(
        body["schema"]["properties"]["query"]["properties"]["kind"]["enum"]
    )
    assert set(body["examples"]) == {"Trends", "HogQL"}
