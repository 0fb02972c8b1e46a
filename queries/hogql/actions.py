"""An action's steps as one HogQL condition over events (spec query-engine §3.14).

An action is an OR of steps; a step is an AND of its event name, its autocapture element conditions (selector,
tag name, href, text), its URL condition and its property filters. An action with no steps matches every event.
"""

from typing import Any

from queries.hogql import ast
from queries.hogql.builders import and_all
from queries.hogql.elements import chain, href_expr, selector_regex, tag_name_regex, texts_expr
from queries.hogql.errors import QueryError
from queries.hogql.property import property_to_expr

MATCHINGS = ("exact", "contains", "regex")


def _string_match(field: ast.Expr, value: str, matching: str | None, default: str) -> ast.Expr:
    matching = matching or default
    if matching not in MATCHINGS:
        raise QueryError(f"Unknown matching '{matching}' in an action step; use exact, contains or regex.")
    if matching == "exact":
        return ast.CompareOperation("==", field, ast.Constant(value))
    if matching == "regex":
        return ast.CompareOperation("=~", field, ast.Constant(value))
    escaped = value.replace("%", "\\%").replace("_", "\\_")
    return ast.CompareOperation("ilike", field, ast.Constant(f"%{escaped}%"))


def step_to_expr(step: dict[str, Any]) -> ast.Expr:
    parts: list[ast.Expr] = []
    if step.get("event"):
        parts.append(ast.CompareOperation("==", ast.Field(["event"]), ast.Constant(step["event"])))
    if step.get("selector"):
        parts.append(ast.CompareOperation("=~", chain(), ast.Constant(selector_regex(step["selector"]))))
    if step.get("tag_name"):
        parts.append(ast.CompareOperation("=~", chain(), ast.Constant(tag_name_regex(step["tag_name"]))))
    if step.get("href"):
        parts.append(_string_match(href_expr(), step["href"], step.get("href_matching"), "exact"))
    if step.get("text"):
        each = _string_match(ast.Field(["element_text"]), step["text"], step.get("text_matching"), "exact")
        parts.append(ast.Call("arrayExists", [ast.Lambda(["element_text"], each), texts_expr()]))
    if step.get("url"):
        url = ast.Field(["properties", "$current_url"])
        parts.append(_string_match(url, step["url"], step.get("url_matching"), "contains"))
    if step.get("properties"):
        parts.append(property_to_expr(step["properties"]))
    return and_all(parts)


def action_to_expr(steps: list[dict[str, Any]] | None) -> ast.Expr:
    """The condition an event meets when it matches any step of the action."""
    if not steps:
        return ast.Constant(True)
    exprs = [step_to_expr(step) for step in steps]
    return exprs[0] if len(exprs) == 1 else ast.Or(exprs)
