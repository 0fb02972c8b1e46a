"""Whether a project has merged persons (rows in person_distinct_id_overrides).

Queries join the overrides only when there are some: for most projects most of the time there are none,
and the join costs a hash join over every event read.
"""

from queries.clickhouse import client

# Overrides are never removed, so a project seen with some keeps them: remembered for the process's life.
# A "no" is asked again every time, since another process may merge persons at any moment.
_teams_with_overrides: set[int] = set()


def has_person_overrides(team_id: int) -> bool:
    if team_id in _teams_with_overrides:
        return True
    result = client.query(
        "SELECT count() FROM person_distinct_id_overrides WHERE team_id = {team_id:Int64}",
        parameters={"team_id": team_id},
    )
    if result.result_rows[0][0] > 0:
        _teams_with_overrides.add(team_id)
        return True
    return False


def forget_person_overrides() -> None:
    """Tests empty the ClickHouse tables between cases; they call this so no answer outlives its rows."""
    _teams_with_overrides.clear()
