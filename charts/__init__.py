"""Server-side pictures of insights (SVG and PNG) drawn with matplotlib from a saved query and its cached result.

    from charts import render_png, render_svg
    svg = render_svg(insight.query, cached_response, timezone=team.timezone, title=insight.name)

`render.py` resolves the kind (`kinds.py`) and dispatches through a `{kind: renderer}` registry to one module per
family: `trends.py`/`timeseries.py` (lines, areas, bars, stickiness), `totals.py` (BoldNumber, pie, bar value,
value table and WorldMap), `funnels.py`, `retention.py`, `lifecycle.py`, `paths.py`, `tables.py`/`table.py` (SQL,
events and data tables), `hogql_chart.py` (SQL insights as charts). `style.py` holds the drawing surface and the
settings that keep the output deterministic; `palette.py` PostHog's colours; `messages.py` the no-data and error
pictures. `samples` has results shaped as the runners return them; `python -m charts.gallery DIR` draws them all.
"""

from charts.render import render_png, render_svg

__all__ = ["render_png", "render_svg"]
