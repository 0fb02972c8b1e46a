"""A cohort's members as the `/persons/` action shows them: pages of person dicts, or a CSV (spec §3.2)."""

import csv
import io
import json

from django.http import HttpResponse

from cohorts.engine import engine
from insights_server.params import limit_offset_page
from persons.models import Person, PersonDistinctId

CSV_LIMIT = 300_000
MAX_DISTINCT_IDS = 10
CSV_FIRST_COLUMNS = ["id", "email", "name", "created_at", "properties", "distinct_ids"]


def member_dicts(cohort, limit: int, offset: int) -> list[dict]:
    ids = list(engine().member_ids(cohort, limit, offset))
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
    results = member_dicts(cohort, limit, offset)
    base = request.build_absolute_uri(request.path)
    next_url = f"{base}?limit={limit}&offset={offset + limit}" if len(results) >= limit else None
    previous_url = f"{base}?limit={limit}&offset={offset - limit}" if offset - limit >= 0 else None
    return {"results": results, "next": next_url, "previous": previous_url}


def cohort_members_csv(cohort, request) -> HttpResponse:
    """Members as CSV: id, email, name, created_at, properties, distinct_ids first (email lifted out)."""
    page = limit_offset_page(request.query_params, default_limit=CSV_LIMIT, max_limit=CSV_LIMIT)
    limit, offset = page.limit, page.offset
    rows = member_dicts(cohort, limit, offset)
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
