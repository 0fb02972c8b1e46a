"""A cohort's members as the `/persons/` action shows them: pages of person dicts, or a CSV (spec §3.2)."""

import csv
import io
import json

from django.http import HttpResponse
from rest_framework.exceptions import ValidationError

from cohorts.engine import MemberFilters, engine
from insights_server.params import NUL_NOT_ALLOWED, invalid_json_message, limit_offset_page, text_param
from insights_server.parsers import json_has_nul
from persons.models import Person, PersonDistinctId

CSV_LIMIT = 300_000
MAX_DISTINCT_IDS = 10
CSV_FIRST_COLUMNS = ["id", "email", "name", "created_at", "properties", "distinct_ids"]


PROPERTIES_SHAPE = "Properties must be a list of person property filters or a property group."


def member_filters(params) -> MemberFilters | None:
    """`search` and `properties` (a JSON list of person filters or an AND/OR group; a filter without a `type` is a
    person filter here) of the legacy persons list; None when neither is given. 400 (attr named) when malformed."""
    search = (text_param(params, "search") or "").strip()
    raw = params.get("properties")
    properties: list | dict | None = None
    if raw:
        try:
            properties = json.loads(raw)
        except ValueError:
            raise ValidationError({"properties": [invalid_json_message("properties")]}) from None
        if json_has_nul(properties):
            raise ValidationError({"properties": [NUL_NOT_ALLOWED]})
        if not isinstance(properties, list | dict) or (isinstance(properties, dict) and "values" not in properties):
            raise ValidationError({"properties": [PROPERTIES_SHAPE]})
        properties = _typed(properties) or None
    if not search and not properties:
        return None
    return MemberFilters(search=search or None, properties=properties)


def _typed(value):
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, dict) and isinstance(value.get("values"), list) and value.get("type") in ("AND", "OR"):
        return {**value, "values": _typed(value["values"])}
    if isinstance(value, dict) and not value.get("type"):
        return {**value, "type": "person"}
    return value


def member_dicts(cohort, limit: int, offset: int, filters: MemberFilters | None = None) -> list[dict]:
    ids = list(engine().member_ids(cohort, limit, offset, filters))
    persons = {p.uuid: p for p in Person.objects.filter(team__project_id=cohort.team.project_id, uuid__in=ids)}
    distinct_ids: dict = {}
    rows = PersonDistinctId.objects.filter(team__project_id=cohort.team.project_id, person_id__in=ids)
    for distinct_id, person_uuid in rows.order_by("id").values_list("distinct_id", "person_id"):
        distinct_ids.setdefault(person_uuid, []).append(distinct_id)
    results = []
    for person_id in ids:
        person = persons.get(person_id)
        if person is None:
            continue
        results.append(
            {
                "id": str(person.uuid),
                "uuid": str(person.uuid),
                "type": "person",
                "name": person.properties.get("email") or person.properties.get("name") or str(person.uuid),
                "distinct_ids": distinct_ids.get(person.uuid, [])[:MAX_DISTINCT_IDS],
                "properties": person.properties,
                "is_identified": person.is_identified,
                "created_at": person.created_at.isoformat(),
            }
        )
    return results


def cohort_members_page(cohort, request) -> dict:
    """`{results, next, previous}`: `next` when the page came back full, `previous` when there is one."""
    page = limit_offset_page(request.query_params, default_limit=100, max_limit=CSV_LIMIT)
    limit, offset = page.limit, page.offset
    results = member_dicts(cohort, limit, offset, member_filters(request.query_params))
    next_url = _page_url(request, limit, offset + limit) if len(results) >= limit else None
    previous_url = _page_url(request, limit, offset - limit) if offset - limit >= 0 else None
    return {"results": results, "next": next_url, "previous": previous_url}


def _page_url(request, limit: int, offset: int) -> str:
    """The same URL (filters kept) at another page."""
    params = request.query_params.copy()
    params["limit"], params["offset"] = str(limit), str(offset)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def cohort_members_csv(cohort, request) -> HttpResponse:
    """Members as CSV: id, email, name, created_at, properties, distinct_ids first (email lifted out)."""
    page = limit_offset_page(request.query_params, default_limit=CSV_LIMIT, max_limit=CSV_LIMIT)
    limit, offset = page.limit, page.offset
    rows = member_dicts(cohort, limit, offset, member_filters(request.query_params))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIRST_COLUMNS)
    for row in rows:
        properties = dict(row["properties"])
        email = properties.pop("email", "")
        writer.writerow(
            [row["id"], email, row["name"], row["created_at"], json.dumps(properties), json.dumps(row["distinct_ids"])]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-persons.csv"'
    return response
