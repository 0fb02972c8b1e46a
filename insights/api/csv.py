"""CSV rendering of API responses as PostHog's generic CSV renderer does it (spec §4.6).

The whole response body becomes ONE row: every nested value gets a column named by its dotted path
(`count`, `results.0.id`, `results.0.tags.0`, ...); the header is the sorted union of those names.
"""

import csv
import io
from collections.abc import Iterable

from rest_framework.renderers import BaseRenderer


def flatten(value, prefix: str = "") -> dict[str, object]:
    """`{dotted path: scalar}` for a nested structure; empty dicts and lists give no columns."""
    items: Iterable[tuple[str, object]]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        return {prefix: value}
    flat: dict[str, object] = {}
    for key, item in items:
        flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def render_csv(data) -> str:
    """The CSV text for a response body: a header row and one row per top-level list item (one for an object)."""
    rows = [flatten(item) for item in (data if isinstance(data, list) else [data])] if data is not None else []
    header = sorted({key for row in rows for key in row})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in header])
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    return str(value)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return render_csv(data).encode(self.charset)
