"""Helpers for the chart tests: render a picture and read back the texts it shows."""

import xml.etree.ElementTree as ET

from charts import render_svg

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    """Every <text> of an SVG, in document order."""
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def texts_of(query, result, **options) -> list[str]:
    """The texts of the SVG picture of `query` and `result`."""
    return svg_texts(render_svg(query, result, **options))
