"""Whether a project has merged persons (rows in person_distinct_id_overrides).

Queries join the overrides only when there are some: for most projects most of the time there are none,
and the join costs a hash join over every event read.
"""

from queries.clickhouse import client


def has_person_overrides(team_id: int) -> bool:
    result = client.query(
        "SELECT count() FROM person_distinct_id_overrides WHERE team_id = {team_id:Int64}",
        parameters={"team_id": team_id},
    )
    return result.result_rows[0][0] > 0
