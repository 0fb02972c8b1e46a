"""PostHog's wording for the Rust parser's syntax errors.

PostHog answers syntax errors in its C++/ANTLR parser's words (`no viable alternative at input '...'`, `mismatched
input 'x' expecting <EOF>`, `Unexpected character U+0435`); clients and our security suite match on them. The Rust
parser finds the same errors at the same places but words them its own way, so the common kinds are reworded here:

1. `unexpected character 'c' (U+XXXX)`: `Unexpected character 'c' (U+XXXX)`, or `Unexpected character U+XXXX` when
   `c` is not printable ASCII (as the C++ parser does).
2. `trailing tokens after expression: ...` after a `;`: a second statement, `mismatched input 'x' expecting <EOF>`.
3. Any other trailing token, `expected X, got Y` and `unexpected token in expression: ...`: ANTLR found no rule
   that fits, `no viable alternative at input '<the text up to the offending token>'`.

Other messages (unterminated literals, ANTLR-worded ones the Rust parser already copies) pass unchanged.
"""

import re

UNEXPECTED_CHARACTER = re.compile(r"unexpected character '(.+)' \(U\+([0-9A-Fa-f]{4,6})\)$", re.S)
NO_VIABLE_ALTERNATIVE = re.compile(
    r"trailing tokens after expression: |expected .+, got |unexpected token in expression: ", re.S
)


def posthog_wording(message: str, text: str, start: int | None, end: int | None) -> str:
    """The message PostHog's parser gives for the error the Rust parser reported as `message` at [start, end)."""
    if found := UNEXPECTED_CHARACTER.match(message):
        character, code = found.groups()
        if len(character) == 1 and character.isascii() and character.isprintable():
            return f"Unexpected character '{character}' (U+{code.upper()})"
        return f"Unexpected character U+{code.upper()}"
    if start is None or not NO_VIABLE_ALTERNATIVE.match(message):
        return message
    end = max(end if end is not None else start, start)
    if message.startswith("trailing tokens") and text[:start].rstrip().endswith(";"):
        return f"mismatched input '{text[start:end]}' expecting <EOF>"
    return f"no viable alternative at input '{text[:end].strip()}'"
