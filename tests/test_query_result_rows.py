"""The result-row guard of a HogQL run follows the caller's bound: the API's 50,000 rows for a page, and more for a
static cohort saved from a query (it capped such cohorts at ~50,000 persons before)."""

import pytest

from queries.hogql.execute import execute_select
from queries.hogql.parser import parse_select
from queries.hogql.printer import MAX_LIMIT, PrintContext

pytestmark = pytest.mark.usefixtures("clickhouse")


def test_a_larger_bound_returns_every_row_and_the_default_stays_capped(world):
    context = PrintContext(team_id=world.team.id, timezone="UTC")
    select = parse_select("SELECT number FROM numbers(120000) LIMIT 120000")
    assert len(execute_select(select, context, default_limit=10**9, max_limit=10**9).results) == 120_000
    assert len(execute_select(select, context, default_limit=100).results) == MAX_LIMIT
