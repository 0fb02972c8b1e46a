"""Server-side pictures of insights (SVG and PNG) drawn with matplotlib from a query and its cached result."""

from charts.render import render_png, render_svg

__all__ = ["render_png", "render_svg"]
