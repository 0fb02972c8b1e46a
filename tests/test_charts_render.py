"""The public API: empty and error pictures, bad input, PNG output, sizes, titles, and stable bytes."""

import io
import logging

import pytest
from PIL import Image

from charts import render_png, render_svg
from charts import samples as s
from charts.kinds import UnsupportedQuery, resolve
from charts.messages import ERROR_TITLE, NO_DATA_TITLE
from charts.render import UNSUPPORTED_INPUT
from tests.charts_helpers import svg_texts, texts_of

QUERIES = {
    "trends": s.trends_query(),
    "bold_number": s.trends_query("BoldNumber", breakdown=None),
    "pie": s.trends_query("ActionsPie"),
    "funnel": s.funnel_query(),
    "retention": s.retention_query(),
    "lifecycle": s.lifecycle_query(),
    "stickiness": s.stickiness_query(),
    "paths": s.paths_query(),
    "hogql": s.hogql_query(),
    "events": s.events_query(),
}


@pytest.mark.parametrize("kind", QUERIES)
@pytest.mark.parametrize("result", [None, [], {"results": []}], ids=["none", "list", "response"])
def test_empty_results_draw_the_no_data_picture(kind, result):
    texts = texts_of(QUERIES[kind], result)
    assert texts[0] == "∅" and texts[1] == NO_DATA_TITLE


@pytest.mark.parametrize("kind", QUERIES)
def test_error_draws_the_error_picture_with_its_message(kind):
    texts = texts_of(QUERIES[kind], s.trends_result(days=3), error="Query exceeded the memory limit")
    assert texts == ["!", ERROR_TITLE, "Query exceeded the memory limit"]


def test_failed_query_status_draws_its_error_message():
    response = {"results": None, "query_status": {"complete": True, "error": True, "error_message": "Timed out"}}
    assert texts_of(s.trends_query(), response) == ["!", ERROR_TITLE, "Timed out"]


def test_long_error_messages_wrap_onto_a_few_lines():
    texts = texts_of(s.trends_query(), None, error="word " * 200, width=400)
    assert texts[:2] == ["!", ERROR_TITLE] and 2 <= len(texts) - 2 <= 4
    assert texts[-1].endswith("…")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (None, "The insight has no query to draw."),
        ("TrendsQuery", "The insight has no query to draw."),
        ({"kind": "InsightVizNode"}, "InsightVizNode has no source query to draw."),
        ({"kind": "SavedInsightNode", "shortId": "abc"}, "Pictures of SavedInsightNode are not supported."),
        ({"kind": "WebVitalsNode"}, "Pictures of WebVitalsNode are not supported."),
    ],
)
def test_bad_queries_draw_the_error_picture(query, message):
    assert texts_of(query, s.trends_result(days=3)) == ["!", ERROR_TITLE, message]


@pytest.mark.parametrize(
    "result",
    [
        {"results": "garbage"},
        {"results": [1, 2, 3]},
        {"results": [{"data": "not a list"}]},
        [{"data": [1, 2], "labels": None, "compare_label": "previous", "action": "x"}],
    ],
)
def test_malformed_trends_results_never_raise(result, caplog):
    with caplog.at_level(logging.ERROR, logger="charts.render"):
        svg = render_svg(s.trends_query(), result)
        png = render_png(s.trends_query(), result)
    assert svg.startswith("<?xml") and png.startswith(b"\x89PNG")


def test_a_renderer_crash_is_logged_and_drawn_as_the_error_picture(caplog):
    broken = {"results": [[1, 2]]}  # cohorts must be dicts: the retention renderer cannot read this
    with caplog.at_level(logging.ERROR, logger="charts.render"):
        texts = texts_of(s.retention_query(), broken)
    assert texts == ["!", ERROR_TITLE, UNSUPPORTED_INPUT]
    assert [record.message for record in caplog.records] == ["chart_render_failed"]


def test_resolve_unwraps_nodes_and_reads_the_result_shape():
    assert resolve(s.trends_query("ActionsPie"), s.trends_total_result()).kind == "pie"
    assert resolve(s.trends_query("ActionsPie"), s.trends_result(days=3)).kind == "trends_line"
    assert resolve(s.funnel_query("steps"), s.funnel_time_result()).kind == "funnel_time_to_convert"
    assert resolve(s.funnel_query("trends"), s.funnel_steps_result()).kind == "funnel_steps"
    assert resolve(s.hogql_query()["source"], s.hogql_result()).kind == "table"
    assert resolve(
        {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery"}, "display": "ActionsBar"}, []
    ).kind == ("hogql_chart")
    with pytest.raises(UnsupportedQuery):
        resolve({"kind": "Nope"}, [])


@pytest.mark.parametrize(("width", "height"), [(800, 450), (1200, 630), (400, 300)])
def test_png_decodes_at_the_requested_size(width, height):
    png = render_png(s.trends_query(), s.trends_result(days=30, breakdowns=s.BROWSERS), width=width, height=height)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size == (width, height)
    assert "Software" not in image.info


def test_png_header_names_its_size():
    png = render_png(s.funnel_query(), s.funnel_steps_result(), width=640, height=360)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert int.from_bytes(png[16:20], "big") == 640 and int.from_bytes(png[20:24], "big") == 360


def test_sizes_are_clamped():
    image = Image.open(io.BytesIO(render_png(s.trends_query(), None, width=10, height=99999)))
    assert image.size == (200, 4000)


def test_svg_is_sized_in_pixels_and_has_no_date():
    svg = render_svg(s.trends_query(), s.trends_result(days=3), width=640, height=360)
    assert 'width="640px" height="360px"' in svg
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


@pytest.mark.parametrize("kind", ["trends", "funnel", "retention", "paths"])
def test_the_same_input_gives_the_same_bytes(kind):
    results = {
        "trends": s.trends_result(days=20, breakdowns=s.BROWSERS),
        "funnel": s.funnel_steps_result(),
        "retention": s.retention_result(),
        "paths": s.paths_result(),
    }
    first = render_svg(QUERIES[kind], results[kind])
    assert render_svg(QUERIES[kind], results[kind]) == first
    assert render_png(QUERIES[kind], results[kind]) == render_png(QUERIES[kind], results[kind])


def test_title_is_drawn():
    texts = texts_of(s.trends_query(), s.trends_result(days=3), title="Weekly pageviews")
    assert texts.count("Weekly pageviews") == 1


def test_timezone_defaults_to_the_response():
    result = {**s.trends_result(days=3), "timezone": "Asia/Kolkata"}
    assert "Timezone: Asia/Kolkata" in texts_of(s.trends_query(), result)
    assert "Timezone: UTC" in texts_of(s.trends_query(), result, timezone="UTC")


def test_unknown_timezone_falls_back_to_utc_times():
    texts = texts_of(s.hogql_query(), s.hogql_result(), timezone="Mars/Olympus")
    assert "2024-03-30 23:59:01" in texts


def test_svg_texts_helper_reads_every_label():
    assert svg_texts(render_svg(s.funnel_query(), s.funnel_steps_result()))[0] == "1. $pageview"


def test_bad_sizes_fall_back_to_the_default():
    image = Image.open(io.BytesIO(render_png(s.trends_query(), None, width="wide", height=None)))
    assert image.size == (800, 450)


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    yield path


def _mutated(result, seed: int):
    """The result with one leaf or branch replaced by something a runner never returns."""
    import copy
    import random

    rng = random.Random(seed)
    result = copy.deepcopy(result)
    paths = [path for path in _leaves(result) if path]
    path = rng.choice(paths)
    parent = result
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = rng.choice([None, "x", float("nan"), float("inf"), -1e12, [], {}, [None], True])
    return result


@pytest.mark.parametrize("name", sorted(__import__("charts.gallery").gallery.gallery()))
def test_mutated_results_always_give_a_picture(name):
    from charts.gallery import gallery

    query, result = gallery()[name]
    for seed in range(6):
        broken = _mutated(result, seed) if result else result
        svg = render_svg(query, broken, width=400, height=300)
        assert svg.startswith("<?xml")


def test_pictures_drawn_from_several_threads_are_identical():
    from concurrent.futures import ThreadPoolExecutor

    query, result = s.trends_query("ActionsBar"), s.trends_result(days=14, breakdowns=s.BROWSERS[:3])
    with ThreadPoolExecutor(max_workers=4) as pool:
        pictures = list(pool.map(lambda _: render_svg(query, result), range(8)))
    assert len(set(pictures)) == 1


def test_a_picture_that_fails_while_written_becomes_the_error_picture(monkeypatch, caplog):
    from matplotlib.artist import Artist

    from charts import render
    from charts.style import figure

    class Broken(Artist):
        def draw(self, renderer):
            raise RuntimeError("cannot draw")

    def broken_pie(insight, canvas):
        fig = figure(canvas)
        fig.add_artist(Broken())
        return fig

    monkeypatch.setitem(render.RENDERERS, "pie", broken_pie)
    with caplog.at_level(logging.ERROR, logger="charts.render"):
        texts = texts_of(s.trends_query("ActionsPie"), s.trends_total_result())
    assert texts == ["!", ERROR_TITLE, UNSUPPORTED_INPUT]
    assert [record.message for record in caplog.records] == ["chart_write_failed"]
