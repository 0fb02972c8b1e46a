"""Bucket labels and day strings of a trends result (spec §2.2, §3.4)."""

from datetime import date, datetime, timedelta

# `%b` in the C locale, without strftime's cost (a trend formats two strings per bucket).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(moment: datetime, interval: str) -> str:
    """The `days` entry of a bucket: `%Y-%m-%d`, with the time for hour and minute intervals."""
    if interval in ("hour", "minute"):
        return moment.replace(tzinfo=None, microsecond=0).isoformat(" ")
    return moment.date().isoformat()


def _day_label(moment: datetime | date) -> str:
    return f"{moment.day}-{MONTHS[moment.month - 1]}-{moment.year}"


def format_label_date(moment: datetime, interval: str, date_from: datetime, date_to: datetime) -> str:
    """`format_label_date`: one bucket's label; week labels are ranges clipped to [date_from, date_to]."""
    if interval in ("hour", "minute"):
        return f"{moment.day}-{moment.strftime('%b %H:%M')}"
    if interval == "month":
        return moment.strftime("%b %Y")
    if interval != "week":
        return _day_label(moment)
    start = max(moment.date(), date_from.date())
    end = min(moment.date() + timedelta(days=6), date_to.date())
    if start == end:
        return _day_label(start)
    if start.year != end.year:
        return f"{_day_label(start)} – {_day_label(end)}"
    if start.month != end.month:
        return f"{start.day}-{start.strftime('%b')} – {end.day}-{end.strftime('%b')}"
    return f"{start.day}–{end.day} {start.strftime('%b')}"
