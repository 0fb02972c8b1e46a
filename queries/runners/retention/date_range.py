"""The range of a retention query (spec §3.10, `QueryDateRangeWithIntervals`)."""

from datetime import datetime

from queries.runners.common.date_range import QueryDateRange, add_interval, start_of_interval

# More cells than this is never a table anyone reads; it also bounds the loop below.
MAX_CELLS = 100_000


class RetentionDateRange:
    """date_to padded by one period and truncated; date_from the truncated dateRange.date_from, else date_to minus
    totalIntervals periods. Periods step in wall-clock time of the team's timezone."""

    def __init__(self, base: QueryDateRange, interval: str, total_intervals: int, has_date_from: bool):
        self.base = base
        self.interval = interval
        self.week_start_day = base.week_start_day
        self.total_intervals = total_intervals
        self.has_date_from = has_date_from

    def truncate(self, moment: datetime) -> datetime:
        return start_of_interval(moment, self.interval, self.week_start_day)

    def date_to(self) -> datetime:
        return self.truncate(add_interval(self.base.date_to(), self.interval))

    def date_from(self) -> datetime:
        if self.has_date_from:
            return self.truncate(self.base.date_from())
        return self.truncate(add_interval(self.date_to(), self.interval, -self.total_intervals))

    def period_start(self, index: int) -> datetime:
        return add_interval(self.date_from(), self.interval, index)

    def intervals_between(self) -> int:
        """The number of cohorts: periods from date_from until date_to."""
        date_from, date_to = self.date_from(), self.date_to()
        if date_from >= date_to:
            return 0
        count = 0
        while self.period_start(count) < date_to and count <= MAX_CELLS:
            count += 1
        return count
