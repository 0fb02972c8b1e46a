"""Pydantic models of PostHog's query nodes (spec query-engine.md §1), plus parsing, errors and dumping helpers."""

from queries.schema.actors import *  # noqa: F403
from queries.schema.base import *  # noqa: F403
from queries.schema.events import *  # noqa: F403
from queries.schema.hogql import *  # noqa: F403
from queries.schema.insight_filters import *  # noqa: F403
from queries.schema.insights import *  # noqa: F403
from queries.schema.interface import *  # noqa: F403
from queries.schema.metadata import *  # noqa: F403
from queries.schema.parsing import *  # noqa: F403
from queries.schema.properties import *  # noqa: F403
from queries.schema.request import *  # noqa: F403
from queries.schema.series import *  # noqa: F403
