"""Cheap checks on HogQL text before the parser sees it, and whether it may be parsed in-process.

The Rust parser holds the GIL and its time grows faster than linearly with the number of nodes: a flat chain
`x1 + ... + x1000` takes seconds, as do many joins or thousands of select columns. So:

1. Text that is obviously pathological is refused up front with a clear message (length, bracket nesting, the
   longest run of operators at one bracket level).
2. Small text (the common path: a typed query, a breakdown or `math_hogql` expression) is parsed in-process,
   where even its worst shape takes a few milliseconds (`IN_PROCESS_*` below, measured in
   tests/test_hogql_parse_limits.py).
3. Everything else is parsed by the child process of `parse_worker`, which is killed when it overruns.

One regex pass over the text; string literals, quoted identifiers and comments are skipped as single tokens.
"""

import re
from dataclasses import dataclass

from queries.hogql.errors import HogQLSyntaxError

MAX_QUERY_LENGTH = 65_536
MAX_NESTING = 64
MAX_OPERATOR_CHAIN = 256

# Within these, the slowest shapes we know of parse in a few milliseconds (tests/test_hogql_parse_limits.py).
IN_PROCESS_MAX_TOKENS = 400
IN_PROCESS_MAX_NESTING = 32
IN_PROCESS_MAX_OPERATOR_CHAIN = 32
IN_PROCESS_MAX_JOINS = 8

QUERY_TOO_LONG = f"Query is longer than {MAX_QUERY_LENGTH} bytes"
NESTED_TOO_DEEPLY = f"The query is nested more than {MAX_NESTING} levels deep."
OPERATOR_CHAIN_TOO_LONG = (
    f"The query chains more than {MAX_OPERATOR_CHAIN} operators in one expression. "
    "Use IN (...) or split it into several expressions."
)

TOKEN = re.compile(
    r"""'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|`(?:[^`\\]|\\.)*`?"""  # literals and quoted names (maybe unclosed)
    r"|--[^\n]*|//[^\n]*|\#[^\n]*|/\*.*?(?:\*/|\Z)"  # comments
    r"|[A-Za-z_$][\w$]*|\d\w*(?:\.\d\w*)?|\.\d+"  # words, numbers, tuple access (`.1`)
    r"|\|\||<=|>=|!=|<>|==|=~\*?|!~\*?|\?\?|->|\S",  # operators of two characters, then any single one
    re.S,
)
SKIPPED = ("'", '"', "`", "--", "//", "#", "/*")
OPEN, CLOSE = "([{", ")]}"
# `[` after an operand is an array access, `(` after `)` or `]` a call of a call, `.1` a tuple access: each one
# deepens the tree as an operator does, though the brackets' own nesting stays shallow.
OPERAND_END = re.compile(r"[\w$`'\")\]]$")
OPERATORS = {
    "+", "-", "*", "/", "%", "||", "=", "==", "!=", "<>", "<", ">", "<=", ">=", "=~", "=~*", "!~", "!~*", "??", "?",
    ":", "and", "or", "not", "like", "ilike", "in", "is", "between",
}  # fmt: skip
# Words that start a new clause (or a new join): the operator run before them is over.
CLAUSES = {
    "select", "from", "where", "prewhere", "having", "group", "order", "limit", "offset", "join", "on", "using",
    "union", "intersect", "except", "when", "then", "else", "with", "as", "qualify", "window", "settings",
}  # fmt: skip


@dataclass(frozen=True)
class TextShape:
    """What the cheap scan saw: how big and how deep a text is, without parsing it."""

    tokens: int
    nesting: int
    operator_chain: int
    joins: int

    def fits_in_process(self) -> bool:
        return (
            self.tokens <= IN_PROCESS_MAX_TOKENS
            and self.nesting <= IN_PROCESS_MAX_NESTING
            and self.operator_chain <= IN_PROCESS_MAX_OPERATOR_CHAIN
            and self.joins <= IN_PROCESS_MAX_JOINS
        )


def shape(text: str) -> TextShape:
    """Counts tokens, the deepest nesting (brackets, CASE), the longest operator run at one level, and joins."""
    tokens = nesting = longest = joins = 0
    # Per open bracket level: operators since the last comma, clause word or bracket, and the level's clause.
    runs, clauses = [0], [""]
    previous = ""
    for match in TOKEN.finditer(text):
        token = match.group()
        tokens += 1
        if token.startswith(SKIPPED):
            continue
        word = token.lower()
        if token == "[":
            postfix = OPERAND_END.search(previous) is not None and previous.lower() not in OPERATORS | CLAUSES
        else:
            postfix = (token == "(" and previous in (")", "]")) or (token.startswith(".") and len(token) > 1)
        if postfix or word in OPERATORS:
            runs[-1] += 1
            longest = max(longest, runs[-1])
        # CASE ... END nests as brackets do.
        if token in OPEN or word == "case":
            runs.append(0)
            clauses.append("")
            nesting = max(nesting, len(runs) - 1)
        elif token in CLOSE or word == "end":
            if len(runs) > 1:
                runs.pop()
                clauses.pop()
        elif word in CLAUSES:
            runs[-1] = 0
            clauses[-1] = word
            joins += word == "join"
        elif token == ",":
            runs[-1] = 0
            joins += clauses[-1] == "from"
        previous = token
    return TextShape(tokens=tokens, nesting=nesting, operator_chain=longest, joins=joins)


def check(text: str) -> TextShape:
    """The text's shape; raises HogQLSyntaxError (a 400) when it is too long, too deep or chains too much."""
    if len(text) > MAX_QUERY_LENGTH or len(text.encode()) > MAX_QUERY_LENGTH:
        raise HogQLSyntaxError(QUERY_TOO_LONG)
    found = shape(text)
    if found.nesting > MAX_NESTING:
        raise HogQLSyntaxError(NESTED_TOO_DEEPLY)
    if found.operator_chain > MAX_OPERATOR_CHAIN:
        raise HogQLSyntaxError(OPERATOR_CHAIN_TOO_LONG)
    return found
