"""`/api/projects/:id/persons/`: list (search, distinct_id, email, property filters) and retrieve persons."""

import contextlib
import re
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from insights_server.params import parse_id
from insights_server.routing import ProjectScopedViewSet
from persons.models import Person, PersonDistinctId
from persons.params import PersonListParams
from persons.serializers import PersonListSerializer, PersonSerializer

NOT_A_PERSON_ID = (
    "The ID provided does not look like a personID. If you are using a distinctId, please use "
    "/persons?distinct_id=<value> instead."
)
DEFAULT_NAME_PROPERTIES = ("email", "name", "username")
ANONYMOUS_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+){4}$")
MAX_DISTINCT_IDS = 1000
INCLUDE_TOTAL = OpenApiParameter(
    "include_total", OpenApiTypes.STR, description="When present (any value), the page also carries `count`."
)
PERSON_ID = OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The person's id or UUID.")


def sorted_distinct_ids(distinct_ids: list[str]) -> list[str]:
    """Ids that do not look anonymous (UUID-like device ids) first, each group in stable order."""
    return sorted(distinct_ids, key=lambda d: bool(ANONYMOUS_ID.match(d)))


def display_name(person: Person, distinct_ids: list[str], name_properties) -> str:
    for key in name_properties or DEFAULT_NAME_PROPERTIES:
        value = person.properties.get(key)
        if value:
            return str(value)
    return distinct_ids[0] if distinct_ids else str(person.pk)


class UnsupportedFilter(ValueError):
    pass


def flatten_filters(value) -> list[dict]:
    """A list of filters, or a `{"type": "AND", "values": [...]}` group (nested groups flattened)."""
    if isinstance(value, dict) and "values" in value:
        return [leaf for item in value["values"] for leaf in flatten_filters(item)]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [leaf for item in value for leaf in flatten_filters(item)]
    raise UnsupportedFilter("Properties must be a list of filters.")


def person_filter(item: dict, index: int) -> tuple[str, Cast, Q]:
    """One person property filter: (annotation name, the property as text, the condition on it)."""
    if (item.get("type") or "person") != "person":
        raise UnsupportedFilter("Only person property filters are supported here.")
    key, operator, value = item.get("key"), item.get("operator") or "exact", item.get("value")
    if not isinstance(key, str):
        raise UnsupportedFilter("A property filter needs a key.")
    # Cast: lookups on a bare key transform would treat the right-hand values as JSON.
    text = Cast(KeyTextTransform(key, "properties"), output_field=TextField())
    field = f"filter_property_{index}"
    values = [str(v) for v in (value if isinstance(value, list) else [value])]
    lookups = {
        "exact": Q(**{f"{field}__in": values}),
        "is_not": ~Q(**{f"{field}__in": values}),
        "icontains": Q(**{f"{field}__icontains": values[0]}),
        "not_icontains": ~Q(**{f"{field}__icontains": values[0]}),
        "is_set": Q(**{f"{field}__isnull": False}),
        "is_not_set": Q(**{f"{field}__isnull": True}),
        "regex": Q(**{f"{field}__regex": values[0]}),
        "not_regex": ~Q(**{f"{field}__regex": values[0]}),
    }
    if operator not in lookups:
        raise UnsupportedFilter(f"Unsupported operator {operator!r}.")
    return field, text, lookups[operator]


class PersonViewSet(ProjectScopedViewSet):
    scope_object = "person"
    serializer_class = PersonSerializer  # documentation only: responses are built in list/retrieve
    queryset = Person.objects.all()
    pagination_class = None  # pages are built in list: offset links, and a count only on request

    def list_params(self) -> dict:
        if not hasattr(self, "_list_params"):
            serializer = PersonListParams(data=self.request.query_params)
            serializer.is_valid(raise_exception=True)
            self._list_params = serializer.validated_data
        return self._list_params

    def filter_project_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "list":
            return queryset
        params = self.list_params()
        if params.get("distinct_id"):
            queryset = queryset.filter(distinct_id_rows__distinct_id=params["distinct_id"])
        if params.get("email"):
            queryset = queryset.filter(properties__email=params["email"])
        search = params.get("search") or ""
        if search:
            matches = Q(properties__email__icontains=search) | Q(properties__name__icontains=search)
            matches |= Q(distinct_id_rows__distinct_id=search)
            with contextlib.suppress(ValueError):
                matches |= Q(uuid=UUID(search))
            queryset = queryset.filter(matches)
        if params.get("properties"):
            try:
                for index, item in enumerate(flatten_filters(params["properties"])):
                    field, text, condition = person_filter(item, index)
                    queryset = queryset.annotate(**{field: text}).filter(condition)
            except UnsupportedFilter as error:
                raise ValidationError({"properties": [f"Properties are unparsable! {error}"]}) from None
        return queryset.distinct().order_by("-created_at", "-id")

    def distinct_ids_by_person(self, persons: list[Person]) -> dict[UUID, list[str]]:
        result: dict[UUID, list[str]] = {person.uuid: [] for person in persons}
        rows = PersonDistinctId.objects.filter(person_id__in=list(result)).order_by("id")
        # `person__uuid` reads the same column as `person_id` (the key's to_field); stubs type `person_id` as an int.
        for person_uuid, distinct_id in rows.values_list("person__uuid", "distinct_id"):
            result[person_uuid].append(distinct_id)
        return {key: sorted_distinct_ids(ids)[:MAX_DISTINCT_IDS] for key, ids in result.items()}

    @extend_schema(parameters=[PersonListParams, INCLUDE_TOTAL], responses=PersonListSerializer)
    def list(self, request, *args, **kwargs) -> Response:
        params = self.list_params()
        limit, offset = params["limit"], params["offset"]
        queryset = self.get_queryset()
        persons = list(queryset[offset : offset + limit])
        distinct_ids = self.distinct_ids_by_person(persons)
        names = self.team.person_display_name_properties
        results = [
            {
                "type": "person",
                "id": str(person.uuid),
                "uuid": str(person.uuid),
                "created_at": person.created_at,
                "last_seen_at": None,
                "properties": person.properties,
                "is_identified": person.is_identified,
                "name": display_name(person, distinct_ids[person.uuid], names),
                "distinct_ids": distinct_ids[person.uuid],
                "matched_recordings": [],
                "value_at_data_point": None,
            }
            for person in persons
        ]
        body: dict[str, Any] = {
            "results": results,
            "next": self.page_url(offset + limit) if len(persons) == limit else None,
            "previous": self.page_url(offset - limit) if offset - limit >= 0 else None,
        }
        if "include_total" in request.query_params:
            body["count"] = queryset.count()
        return Response(body)

    def page_url(self, offset: int) -> str:
        params = {**self.request.query_params.dict(), "offset": offset}
        return self.request.build_absolute_uri(self.request.path) + "?" + urlencode(params)

    @extend_schema(parameters=[PERSON_ID])
    def retrieve(self, request, *args, **kwargs) -> Response:
        lookup = kwargs["pk"]
        queryset = super().get_queryset()
        person_pk = parse_id(lookup)
        if person_pk is not None:
            person = queryset.filter(pk=person_pk).first()
        else:
            try:
                person = queryset.filter(uuid=UUID(lookup)).first()
            except ValueError:
                raise ValidationError(NOT_A_PERSON_ID) from None
        if person is None:
            raise NotFound()
        distinct_ids = self.distinct_ids_by_person([person])[person.uuid]
        return Response(
            {
                "id": person.pk,
                "name": display_name(person, distinct_ids, self.team.person_display_name_properties),
                "distinct_ids": distinct_ids,
                "properties": person.properties,
                "created_at": person.created_at,
                "uuid": str(person.uuid),
                "last_seen_at": None,
            }
        )
