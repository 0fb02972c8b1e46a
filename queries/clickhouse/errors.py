"""The two ways the event store fails: it cannot be reached, or it refused a statement.

Both are domain errors: the API's exception handler answers 503 for the first and 400 (with ClickHouse's own
error name as `code` and its message without internals as `detail`) for the second.
"""

import re

from insights_server.errors import DomainError, ServiceUnavailableError

CLICKHOUSE_MESSAGE = re.compile(
    r"^(?:Code: \d+\. )?(?:DB::Exception: )*(?P<message>.*?)"
    r"(?:: In scope .*|: while executing .*)?(?: \((?P<name>[A-Z_]+)\))?$"
)


class ClickHouseUnavailable(ServiceUnavailableError):
    """ClickHouse could not be reached (server down, embedded store not openable)."""

    default_detail = "The query engine is unavailable. Try again later."


class ClickHouseQueryError(DomainError):
    """ClickHouse answered with an error for this statement; `str()` keeps the raw text for logs."""

    def __init__(self, message: str, clickhouse_code: int | None = None):
        super().__init__(message)
        self.clickhouse_code = clickhouse_code
        self.detail = clickhouse_message(message)
        self.code = clickhouse_error_code(message)


def clickhouse_error_code(text: str) -> str:
    """`ILLEGAL_TYPE_OF_ARGUMENT` style names from ClickHouse messages, lower-cased; a generic code otherwise."""
    text = text.split("\n", 1)[0].rstrip()
    if text.endswith(")") and "(" in text:
        name = text[:-1].rsplit("(", 1)[1]
        if name.replace("_", "").isalnum() and name.isupper():
            return name.lower()
    return "clickhouse_error"


def clickhouse_message(text: str) -> str:
    """The ClickHouse error without its code prefix and the printed SQL it quotes (internals, not the user's text)."""
    first_line = text.split("\n", 1)[0].strip()
    match = CLICKHOUSE_MESSAGE.match(first_line)
    return (match.group("message") if match else first_line).rstrip(". ") + "."
