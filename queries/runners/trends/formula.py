"""Trends formulas (spec §3.7): `A + B / 2` evaluated element-wise over the series, parsed safely with `ast`."""

import ast as pyast
import copy
import math
import operator
import string
from collections.abc import Callable

from queries.hogql.errors import QueryError
from queries.runners.trends.query_builder import breakdown_key, breakdown_sentinel_rank

MAX_FORMULA_LENGTH = 1000
MAX_EXPONENT = 1000


def _divide(left: float, right: float) -> float:
    return 0.0 if right == 0 else left / right


def _modulo(left: float, right: float) -> float:
    return 0.0 if right == 0 else left % right


def _power(left: float, right: float) -> float:
    if abs(right) > MAX_EXPONENT:
        raise QueryError("Exponent in formula is too large")
    try:
        result = left**right
    except (OverflowError, ZeroDivisionError):
        return 0.0
    if isinstance(result, complex):
        return 0.0
    return result


BINARY_OPERATORS: dict[type[pyast.operator], Callable[[float, float], float]] = {
    pyast.Add: operator.add,
    pyast.Sub: operator.sub,
    pyast.Mult: operator.mul,
    pyast.Div: _divide,
    pyast.Mod: _modulo,
    pyast.Pow: _power,
}
UNARY_OPERATORS: dict[type[pyast.unaryop], Callable[[float], float]] = {
    pyast.USub: operator.neg,
    pyast.UAdd: operator.pos,
}


class Formula:
    """One parsed formula; `evaluate(values)` with `values[i]` the value of series `i` (letter A + i)."""

    def __init__(self, text: str, series_count: int):
        if not isinstance(text, str) or not text.strip():
            raise QueryError("Formula must not be empty")
        if len(text) > MAX_FORMULA_LENGTH:
            raise QueryError("Formula is too long")
        self.text = text
        self.series_count = series_count
        try:
            tree = pyast.parse(text.strip(), mode="eval")
        except SyntaxError as error:
            raise QueryError(f"Invalid formula: {text}") from error
        self.tree = tree.body
        self._check(self.tree)

    def _check(self, node: pyast.AST) -> None:
        if isinstance(node, pyast.BinOp):
            if type(node.op) not in BINARY_OPERATORS:
                raise QueryError(f"Operator {type(node.op).__name__} not supported")
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, pyast.UnaryOp):
            if type(node.op) not in UNARY_OPERATORS:
                raise QueryError(f"Operator {type(node.op).__name__} not supported")
            self._check(node.operand)
        elif isinstance(node, pyast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise QueryError(f"Constant {node.value!r} not supported")
        elif isinstance(node, pyast.Name):
            self._series_index(node.id)
        else:
            raise QueryError(f"Operator {type(node).__name__} not supported")

    def _series_index(self, name: str) -> int:
        letter = name.upper()
        if len(letter) != 1 or letter not in string.ascii_uppercase:
            raise QueryError(f"Unknown series '{name}' in formula: use the letters A, B, C, ...")
        index = string.ascii_uppercase.index(letter)
        if index >= self.series_count:
            raise QueryError(f"Formula refers to series {letter}, but the query has {self.series_count} series")
        return index

    def evaluate(self, values: list[float]) -> float:
        result = float(self._eval(self.tree, values))
        return result if math.isfinite(result) else 0.0

    def _eval(self, node: pyast.AST, values: list[float]) -> float:
        if isinstance(node, pyast.BinOp):
            return BINARY_OPERATORS[type(node.op)](self._eval(node.left, values), self._eval(node.right, values))
        if isinstance(node, pyast.UnaryOp):
            return UNARY_OPERATORS[type(node.op)](self._eval(node.operand, values))
        if isinstance(node, pyast.Constant):
            assert isinstance(node.value, int | float)  # _check admits only numbers
            return float(node.value)
        if isinstance(node, pyast.Name):
            return float(values[self._series_index(node.id)] or 0)
        raise QueryError(f"Operator {type(node).__name__} not supported")  # unreachable after _check


def formula_nodes(trends_filter) -> list[tuple[str, str | None]]:
    """(formula, custom_name) pairs: `formulaNodes` wins, then `formulas`, then `formula`."""
    if trends_filter is None:
        return []
    if trends_filter.formulaNodes:
        return [(node.formula, node.custom_name) for node in trends_filter.formulaNodes]
    if trends_filter.formulas:
        return [(formula, None) for formula in trends_filter.formulas]
    if trends_filter.formula:
        return [(trends_filter.formula, None)]
    return []


def apply_formulas(
    results: list[dict], nodes: list[tuple[str, str | None]], series_count: int, total_value: bool, breakdown: bool
) -> list[dict]:
    """Formula results replacing the series results: per formula, per compare period, per breakdown value."""
    formulas = [(Formula(text, series_count), custom_name) for text, custom_name in nodes]
    periods = list(dict.fromkeys(row.get("compare_label") for row in results)) or [None]
    output = []
    for formula_index, (formula, custom_name) in enumerate(formulas):
        label = custom_name or f"Formula ({formula.text})"
        for period in periods:
            period_rows = [row for row in results if row.get("compare_label") == period]
            output += _apply_one(formula, formula_index, label, period_rows, series_count, total_value, breakdown)
    return output


def _apply_one(formula, formula_index, label, rows, series_count, total_value, breakdown) -> list[dict]:
    if not rows:
        return []
    # Multiple breakdowns: rows are matched by the full list of values (as a tuple).
    keys = list(dict.fromkeys(breakdown_key(row.get("breakdown_value")) for row in rows)) if breakdown else [None]
    by_series_and_key = {(row["action"]["order"], breakdown_key(row.get("breakdown_value"))): row for row in rows}
    output = []
    for key in keys:
        template = next(row for row in rows if breakdown_key(row.get("breakdown_value")) == key)
        result = copy.deepcopy(template)
        matched = [by_series_and_key.get((index, key)) for index in range(series_count)]
        if total_value:
            values = [(row["aggregated_value"] or 0) if row else 0 for row in matched]
            # PostHog's shape for a formula over totals: the value as a float, no `data`, `count` 0.
            result["aggregated_value"] = float(formula.evaluate(values))
            result["data"] = None
            result["count"] = 0
            sort_value = result["aggregated_value"]
        else:
            length = len(template["data"])
            data = [
                formula.evaluate([row["data"][position] if row else 0 for row in matched]) for position in range(length)
            ]
            result["data"] = data
            result["count"] = float(sum(data))
            sort_value = result["count"]
        result.update({"label": label, "action": None, "order": formula_index})
        output.append((key, sort_value, result))
    if breakdown:
        output.sort(key=lambda item: (breakdown_sentinel_rank(item[0]), -item[1]))
    return [result for _, _, result in output]
