"""The Rust parser the server uses reads every HogQL text we know of as PostHog's C++ parser does.

The corpus (`tests/hogql_corpus.json`) holds the texts the runners and the test suite gave the parser: queries,
expressions, the runners' own templates, and texts that must fail. Both parsers' JSON is compared, positions
(character offsets) included, after dropping the null, false and empty fields the Rust parser omits (our conversion
reads an omitted field as its default, so equal JSON means an equal tree). The C++ parser is in the dev extra;
without it the comparison is skipped and only our conversion of the Rust parser's output is checked.
"""

import json
from pathlib import Path

import pytest

from queries.hogql import parser
from queries.hogql.errors import HogQLSyntaxError
from tests.cpp_parser import load_cpp_parser

CORPUS = json.loads((Path(__file__).parent / "hogql_corpus.json").read_text())
cpp = load_cpp_parser()


def without_defaults(value):
    """The JSON with null, false and empty-list fields removed, as the Rust parser leaves them out, and positions
    reduced to the character offsets we keep (the C++ parser counts a column in bytes after a non-ASCII letter)."""
    if isinstance(value, list):
        return [without_defaults(item) for item in value]
    if isinstance(value, dict):
        if "offset" in value:
            return value["offset"]
        return {key: without_defaults(item) for key, item in value.items() if item not in (None, False, [])}
    return value


def rust_json(kind: str, text: str) -> dict:
    return json.loads(parser.parse_json(kind, text))


def cpp_json(kind: str, text: str) -> dict:
    function = cpp.parse_select_json if kind == "select" else cpp.parse_expr_json
    return json.loads(function(text, is_internal=False))


def test_the_corpus_covers_queries_expressions_templates_and_errors():
    kinds = {(entry["kind"], entry.get("internal", False), "error" in entry) for entry in CORPUS}
    assert {("select", False, False), ("expr", False, False), ("select", True, False), ("select", False, True)} <= kinds
    assert len(CORPUS) > 300


@pytest.mark.skipif(cpp is None, reason="the C++ hogql-parser (dev extra) is not installed")
def test_both_parsers_give_the_same_tree_for_every_corpus_text():
    differences = []
    for entry in CORPUS:
        kind, text = entry["kind"], entry["text"]
        expected, found = cpp_json(kind, text), rust_json(kind, text)
        if expected.get("error") or found.get("error"):
            if not (expected.get("error") and found.get("error")):
                differences.append(f"{kind} {text!r}: C++ {expected.get('message')!r}, Rust {found.get('message')!r}")
        elif without_defaults(expected) != without_defaults(found):
            differences.append(f"{kind} {text!r}: the trees differ")
    assert not differences, "\n".join(differences[:20])


def test_the_rust_parser_accepts_and_refuses_what_was_recorded():
    wrong = [
        entry["text"]
        for entry in CORPUS
        if bool(rust_json(entry["kind"], entry["text"]).get("error")) != bool(entry.get("error"))
    ]
    assert not wrong, wrong[:10]


def test_every_accepted_tree_converts_or_names_the_unsupported_syntax():
    """Fields the Rust parser omits (null, false, empty) read as their defaults: no Python error escapes."""
    unsupported = []
    for entry in CORPUS:
        if entry.get("error"):
            continue
        try:
            parser._convert(rust_json(entry["kind"], entry["text"]))
        except HogQLSyntaxError as error:
            unsupported.append(error.message)
    assert all(message.startswith("Unsupported") for message in unsupported), unsupported
