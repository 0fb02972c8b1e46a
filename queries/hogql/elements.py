"""Autocapture element matching over `elements_chain` (element property filters and action steps).

The chain is `tag.class1.class2:attr="v"href="..."text="...";parent...`, the clicked element first
(see ingestion/elements.py). Tags and selectors become regular expressions over the whole chain; `href`
and `text` are extracted from it the way PostHog's materialized `elements_chain_href` and
`elements_chain_texts` columns are.
"""

import re
from collections.abc import Callable

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


def element_filter_to_expr(
    key: str, operator: str, values: list, combine: Callable[[str, list[ast.Expr]], ast.Expr]
) -> ast.Expr:
    """An `element` property filter: tag_name/selector (exact or is_not), href, text (any operator)."""
    from queries.hogql.property import NEGATIVE_OPERATORS, field_filter_to_expr

    if key not in ELEMENT_KEYS:
        raise QueryError(f"Element filters support the keys {', '.join(ELEMENT_KEYS)}, not '{key}'.")
    values = [v for v in values if v is not None]
    if key in ("tag_name", "selector"):
        if operator not in ("exact", "is_not"):
            raise QueryError(f"Element filters on {key} support only the operators exact and is_not.")
        if not values:
            return ast.Constant(True)
        to_regex = tag_name_regex if key == "tag_name" else selector_regex
        matches = [ast.CompareOperation("=~", chain(), ast.Constant(to_regex(str(v)))) for v in values]
        matched = combine("OR", matches)
        return matched if operator == "exact" else ast.Not(matched)
    if key == "href":
        return field_filter_to_expr(href_expr(), operator, values)
    # text: the filter holds for one of the element texts.
    each = field_filter_to_expr(ast.Field(["element_text"]), operator, values)
    if operator in NEGATIVE_OPERATORS:
        return ast.Not(ast.Call("arrayExists", [ast.Lambda(["element_text"], _negate(each)), texts_expr()]))
    return ast.Call("arrayExists", [ast.Lambda(["element_text"], each), texts_expr()])


def _negate(expr: ast.Expr) -> ast.Expr:
    """The positive form of a negative text filter: `NOT arrayExists(positive)` reads as 'no text matches'."""
    if isinstance(expr, ast.CompareOperation):
        flipped = {"!=": "==", "not ilike": "ilike", "!~": "=~", "not in": "in"}.get(expr.op)
        if flipped:
            return ast.CompareOperation(flipped, expr.left, expr.right)
    if isinstance(expr, ast.And):
        return ast.Or([_negate(e) for e in expr.exprs])
    return ast.Not(expr)
