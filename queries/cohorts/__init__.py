"""The engine side of cohorts: membership queries from filter trees, calculations into ClickHouse, schedules."""
