"""Autocapture element matching over `elements_chain` (element property filters and action steps).

The chain is `tag.class1.class2:attr="v"href="..."text="...";parent...`, the clicked element first
(see ingestion/elements.py). Tags and selectors become regular expressions over the whole chain; `href`
and `text` are extracted from it the way PostHog's materialized `elements_chain_href` and
`elements_chain_texts` columns are.
"""

import re

from queries.hogql import ast
from queries.hogql.errors import QueryError

HREF_PATTERN = '(?::|")href="(.*?)"'
TEXTS_PATTERN = '(?::|")text="(.*?)"'
ELEMENT_KEYS = ("tag_name", "text", "href", "selector")
SELECTOR_PART = re.compile(
    r"^(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<rest>(?:\.[\w-]+|#[\w-]+|\[[\w-]+(?:[~|^$*]?=(?:\"[^\"]*\"|'[^']*'|[^\]]*))?\])*)$"
)
SELECTOR_TOKEN = re.compile(r"\.[\w-]+|#[\w-]+|\[[^\]]+\]")


def chain() -> ast.Expr:
    return ast.Field(["elements_chain"])


def href_expr() -> ast.Expr:
    return ast.Call("extract", [chain(), ast.Constant(HREF_PATTERN)])


def texts_expr() -> ast.Expr:
    return ast.Call("arrayDistinct", [ast.Call("extractAll", [chain(), ast.Constant(TEXTS_PATTERN)])])


def tag_name_regex(tag: str) -> str:
    return rf"(^|;){re.escape(tag)}(\.|$|;|:)"


def _attribute(token: str) -> tuple[str, str | None]:
    """`[name]`, `[name="value"]` or `[name=value]` as (name, value or None for presence)."""
    match = re.match(r"^\[([\w-]+)(?:=(.*))?\]$", token)
    if not match:
        raise QueryError(f"Unsupported selector attribute: {token}")
    value = match.group(2)
    return match.group(1), value.strip().strip("\"'") if value is not None else None


def _element_regex(part: str) -> str:
    """One compound selector (`button.primary[data-attr="x"]`, `#id`) as a regex over one whole chain element.

    Chain elements list their classes sorted after the tag and their attributes sorted by name after `:`;
    RE2 has no lookahead, so both are matched in that order.
    """
    match = SELECTOR_PART.match(part)
    if not match:
        raise QueryError(f"Unsupported selector: {part}")
    tag = match.group("tag")
    classes, attributes = [], []
    for token in SELECTOR_TOKEN.findall(match.group("rest") or ""):
        if token.startswith("."):
            classes.append(token[1:])
        elif token.startswith("#"):
            attributes.append(("attr_id", token[1:]))
        else:
            name, value = _attribute(token)
            attributes.append((f"attr__{name}", value))
    regex = re.escape(tag) if tag and tag != "*" else "[^.:;]*"
    for name in sorted(set(classes)):
        regex += rf"(\.[^.:;]+)*?\.{re.escape(name)}"
    regex += r"(\.[^.:;]+)*"
    if not attributes:
        return regex + "(:[^;]*)?"
    regex += ":"
    for name, value in sorted(attributes):
        pattern = f'{re.escape(name)}="' + (re.escape(value) + '"' if value is not None else "")
        regex += f"([^;]*?[^-\\w])?{pattern}" if regex.endswith('"') else f'([^;]*?"|){pattern}'
    return regex + "[^;]*"


def selector_regex(selector: str) -> str:
    """A CSS selector (tags, classes, ids, attributes; descendant ` ` and child `>` combinators) as a chain regex.

    The chain lists the clicked element first, so the selector is read right to left: its rightmost part is
    matched against any element, each part to its left against an ancestor (`>`: the direct parent).
    """
    tokens = re.findall(r">|[^\s>]+", selector.strip())
    if not tokens or tokens[0] == ">" or tokens[-1] == ">":
        raise QueryError(f"Unsupported selector: {selector}")
    parts: list[tuple[str, str]] = []  # (combinator joining this part to the one on its right, part)
    for index, token in enumerate(tokens):
        if token == ">":
            continue
        next_token = tokens[index + 1] if index + 1 < len(tokens) else None
        parts.append((">" if next_token == ">" else " ", token))
    regex = "(^|;)"
    previous_combinator = None
    for combinator, part in reversed(parts):
        if previous_combinator is not None:
            regex += ";" if combinator == ">" else "(;[^;]*)*?;"
        regex += _element_regex(part)
        previous_combinator = combinator
    return regex + "(;|$)"
