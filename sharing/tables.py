"""The data table under a shared chart (`settings.detailed`): headers and rows from an insight's result, by shape."""

MAX_ROWS, MAX_COLUMNS = 100, 60


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _series_table(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    if all("aggregated_value" in row and not row.get("data") for row in rows):
        return ["Series", "Value"], [[str(row.get("label", "")), _cell(row.get("aggregated_value"))] for row in rows]
    labels = rows[0].get("labels") or rows[0].get("days") or []
    headers = ["Series", *[str(label) for label in labels[: MAX_COLUMNS - 2]], "Total"]
    body = []
    for row in rows:
        data = row.get("data") or []
        body.append([str(row.get("label", "")), *[_cell(v) for v in data[: MAX_COLUMNS - 2]], _cell(row.get("count"))])
    return headers, body


def _funnel_table(steps: list[dict]) -> tuple[list[str], list[list[str]]]:
    first = steps[0].get("count") or 0
    body = []
    for step in steps:
        rate = f"{100 * step.get('count', 0) / first:.1f}%" if first else "0%"
        body.append([str(step.get("custom_name") or step.get("name", "")), _cell(step.get("count")), rate])
    return ["Step", "Persons", "Conversion"], body


def _retention_table(cohorts: list[dict]) -> tuple[list[str], list[list[str]]]:
    width = max((len(cohort.get("values") or []) for cohort in cohorts), default=0)
    headers = ["Cohort", *[f"{index}" for index in range(min(width, MAX_COLUMNS - 1))]]
    body = [
        [
            str(cohort.get("label", "")),
            *[_cell(value.get("count")) for value in (cohort.get("values") or [])[: MAX_COLUMNS - 1]],
        ]
        for cohort in cohorts
    ]
    return headers, body


def result_table(result: dict) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) for `settings.detailed`; empty when the result has no rows."""
    rows = result.get("result")
    if not rows:
        return [], []
    columns = result.get("columns")
    if columns and isinstance(rows[0], list | tuple):
        return [str(c) for c in columns[:MAX_COLUMNS]], [
            [_cell(v) for v in row[:MAX_COLUMNS]] for row in rows[:MAX_ROWS]
        ]
    if isinstance(rows[0], list) and rows[0] and isinstance(rows[0][0], dict):
        rows = rows[0]  # funnel breakdowns: the first breakdown value's steps
    if not isinstance(rows[0], dict):
        return [], []
    sample = rows[0]
    if "values" in sample and "label" in sample:
        headers, body = _retention_table(rows)
    elif "source" in sample and "target" in sample:
        headers, body = (
            ["From", "To", "Persons"],
            [[str(r["source"]), str(r["target"]), _cell(r.get("value"))] for r in rows],
        )
    elif "order" in sample and "count" in sample and "data" not in sample:
        headers, body = _funnel_table(rows)
    else:
        headers, body = _series_table(rows)
    return headers, body[:MAX_ROWS]
