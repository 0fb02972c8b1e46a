"""`/api/projects/:id/events/`: the legacy raw events list (Airbyte and scripts use it) and one event by uuid."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from ingestion.api.params import PROPERTIES_UNPARSABLE, EventListParams
from ingestion.api.schema import EventListSerializer, EventSerializer
from insights_server.params import bool_param, parse_id
from insights_server.routing import ProjectScopedViewSet
from insights_server.throttling import ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle
from persons.models import Person
from queries.clickhouse.elements import chain_to_elements
from queries.events_list import EventFilter, EventRow, get_event, list_events
from queries.hogql.errors import QueryError
from queries.runners.common.series import action_for

DEFAULT_WINDOW = timedelta(hours=24)
RELATIVE_DATE = re.compile(r"^-(\d+)([hdwmy])$")
RELATIVE_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
PERSON_DISPLAY_PROPERTIES = ("email", "name", "username")
INCLUDE_PERSON = OpenApiParameter("include_person", OpenApiTypes.BOOL, description="Attach the event's person.")
EVENT_UUID = OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's UUID.")


def parse_bound(value: str | None, team_timezone: str, name: str) -> datetime | None:
    """An ISO datetime (read in the project's timezone when it has no offset) or `-7d`, `-24h`, `-2w`."""
    if not value:
        return None
    match = RELATIVE_DATE.match(value.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        delta = timedelta(days=30 * amount) if unit == "m" else timedelta(days=365 * amount) if unit == "y" else None
        return datetime.now(UTC) - (delta or timedelta(**{RELATIVE_UNITS[unit]: amount}))
    text = value.strip().replace("Z", "+00:00")
    if "T" in text and " " in text:
        text = text.replace(" ", "+")  # an unencoded "+00:00" arrives as " 00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: [f"Invalid datetime: {value}"]}) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(team_timezone))
    return parsed.astimezone(UTC)


def render_event(row: EventRow, person: dict | None) -> dict:
    return {
        "id": row.uuid,
        "distinct_id": row.distinct_id,
        "properties": json.loads(row.properties) if row.properties else {},
        "event": row.event,
        "timestamp": row.timestamp.replace(tzinfo=UTC).isoformat(timespec="microseconds"),
        "person": person,
        "elements": chain_to_elements(row.elements_chain),
        "elements_chain": row.elements_chain,
    }


def persons_for(team_id: int, rows: list[EventRow]) -> dict[str, dict]:
    """The compact person objects the events list shows, by person uuid."""
    uuids = {row.person_id for row in rows}
    persons = Person.objects.filter(team_id=team_id, uuid__in=uuids).prefetch_related("distinct_id_rows")
    return {
        str(person.uuid): {
            "is_identified": person.is_identified,
            "distinct_ids": sorted(d.distinct_id for d in person.distinct_id_rows.all())[:1],
            "properties": {k: person.properties[k] for k in PERSON_DISPLAY_PROPERTIES if k in person.properties},
        }
        for person in persons
    }


class EventViewSet(ProjectScopedViewSet):
    scope_object = "query"
    serializer_class = EventSerializer  # documentation only: responses are built by render_event
    lookup_value_regex = "[^/]+"
    throttle_classes = [ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle]
    pagination_class = None  # a cursor page of its own (next_url), not limit/offset with a count

    def event_filter(self) -> EventFilter:
        params = EventListParams(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        params = params.validated_data
        limit, offset, properties, order = params["limit"], params["offset"], params["properties"], params["orderBy"]
        person_id = params.get("person_id")
        if person_id is not None:
            person_id = self.person_uuid(person_id)
        team = self.team
        action_steps = None
        if params.get("action_id") is not None:
            action = action_for(team, params["action_id"])
            action_steps = action.steps if action else []
        before = parse_bound(params.get("before"), team.timezone, "before") or datetime.now(UTC) + timedelta(seconds=5)
        after = parse_bound(params.get("after"), team.timezone, "after") or before - DEFAULT_WINDOW
        return EventFilter(
            team_id=team.id,
            after=after,
            before=before,
            event=params.get("event"),
            distinct_id=params.get("distinct_id"),
            person_id=person_id,
            properties=properties,
            action_steps=action_steps,
            newest_first=order == ["-timestamp"],
            limit=limit,
            offset=offset,
        )

    def person_uuid(self, value: str) -> UUID | None:
        person_pk = parse_id(value)
        if person_pk is not None:
            found = Person.objects.filter(team__project_id=self.project_id, pk=person_pk).values_list("uuid", flat=True)
            return found.first() or UUID(int=0)
        try:
            return UUID(value)
        except ValueError:
            raise ValidationError({"person_id": ["Invalid person id."]}) from None

    @extend_schema(parameters=[EventListParams], responses=EventListSerializer)
    def list(self, request, *args, **kwargs) -> Response:
        spec = self.event_filter()
        try:
            rows, more = list_events(spec)
        except QueryError as error:
            raise ValidationError(f"{PROPERTIES_UNPARSABLE} {error.message}") from None
        include_person = bool_param(request.query_params, "include_person")
        persons = persons_for(spec.team_id, rows) if include_person else {}
        results = [render_event(row, persons.get(row.person_id)) for row in rows]
        return Response({"next": self.next_url(spec, rows) if more else None, "results": results})

    def next_url(self, spec: EventFilter, rows: Sequence[EventRow]) -> str:
        params = self.request.query_params.dict()
        last = rows[-1].timestamp.replace(tzinfo=UTC).isoformat(timespec="microseconds")
        params["before" if spec.newest_first else "after"] = last
        return self.request.build_absolute_uri(self.request.path) + "?" + urlencode(params)

    @extend_schema(parameters=[INCLUDE_PERSON, EVENT_UUID])
    def retrieve(self, request, *args, **kwargs) -> Response:
        try:
            event_uuid = UUID(kwargs["pk"])
        except ValueError:
            return Response(
                {"type": "validation_error", "code": "invalid", "detail": "Invalid UUID", "attr": None}, status=400
            )
        row = get_event(self.team.id, event_uuid)
        if row is None:
            raise NotFound(f"No events exist for event UUID {event_uuid}")
        include_person = bool_param(request.query_params, "include_person")
        person = persons_for(self.team.id, [row]).get(row.person_id) if include_person else None
        return Response(render_event(row, person))
