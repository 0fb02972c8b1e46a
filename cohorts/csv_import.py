"""A static cohort's CSV upload (spec actors-cohorts §3.3): which column holds what, and the persons it names."""

import csv
import io
from uuid import UUID

from persons.models import Person, PersonDistinctId

EMPTY = "CSV file is empty. Please upload a CSV file with at least one row of data."
NO_IDS = (
    "CSV file contains no valid person IDs, distinct IDs, or email addresses. Please ensure your file has data rows "
    "with person IDs, distinct IDs, or email addresses."
)
BAD_ENCODING = "CSV file encoding is not supported. Please save your file as UTF-8 and try again."
BAD_FORMAT = "CSV file format is invalid. Please check your file format and try again."
NO_HEADER = (
    "Multi-column CSV must contain at least one column with a supported ID header: 'person_id', 'Person .id' "
    "(PostHog export format), 'distinct_id', 'distinct-id', or 'email'. Found columns: {found}"
)
PERSON_ID_HEADERS = ("person_id", "person-id", "person .id")
DISTINCT_ID_HEADERS = ("distinct_id", "distinct-id")
EMAIL_HEADERS = ("email", "e-mail")


class CSVImportError(ValueError):
    pass


def read_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CSVImportError(BAD_ENCODING) from None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        raise CSVImportError(BAD_FORMAT) from None
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    if not rows:
        raise CSVImportError(EMPTY)
    return rows


def identifiers(rows: list[list[str]]) -> tuple[str, list[str]]:
    """(kind, values): kind is `person_id`, `distinct_id` or `email`."""
    header = rows[0]
    if len([cell for cell in header if cell.strip()]) <= 1:
        first = next((cell.strip() for cell in header if cell.strip()), "")
        lowered = first.lower()
        column = [next((cell.strip() for cell in row if cell.strip()), "") for row in rows]
        if lowered in PERSON_ID_HEADERS:
            return "person_id", [v for v in column[1:] if v]
        if lowered in EMAIL_HEADERS:
            return "email", [v for v in column[1:] if v]
        # Legacy: every row (the first one too) is a distinct id.
        return "distinct_id", [v for v in column if v]
    names = [cell.strip().lower() for cell in header]
    for kind, headers in (("person_id", PERSON_ID_HEADERS), ("distinct_id", DISTINCT_ID_HEADERS),
                          ("email", EMAIL_HEADERS)):  # fmt: skip
        for index, name in enumerate(names):
            if name in headers:
                values = [row[index].strip() for row in rows[1:] if len(row) > index and row[index].strip()]
                return kind, values
    found = ", ".join(cell.strip() for cell in header if cell.strip()) or "none"
    raise CSVImportError(NO_HEADER.format(found=found))


def persons_from_csv(team, content: bytes) -> list[Person]:
    """The project's persons the upload names (unmatched values are dropped). Raises CSVImportError."""
    kind, values = identifiers(read_rows(content))
    if not values:
        raise CSVImportError(NO_IDS)
    return persons_by(team, kind, values)


def persons_by(team, kind: str, values: list[str]) -> list[Person]:
    persons = Person.objects.filter(team__project_id=team.project_id)
    if kind == "person_id":
        uuids = []
        for value in values:
            try:
                uuids.append(UUID(value))
            except ValueError:
                continue
        return list(persons.filter(uuid__in=uuids))
    if kind == "email":
        return list(persons.filter(properties__email__in=values))
    rows = PersonDistinctId.objects.filter(team__project_id=team.project_id, distinct_id__in=values)
    return list(persons.filter(uuid__in=rows.values("person_id")))
