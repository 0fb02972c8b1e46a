"""HogQL errors. Exposed errors are safe to show users and become 400 responses with their `code`."""

from insights_server.errors import DomainError


class HogQLError(Exception):
    """Base class; `start`/`end` are character offsets into the query when known."""

    code = "hogql_error"

    def __init__(self, message: str, start: int | None = None, end: int | None = None):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end


class ExposedHogQLError(HogQLError, DomainError):
    code = "hogql_error"


class HogQLSyntaxError(ExposedHogQLError):
    code = "hogql_syntax_error"


class QueryError(ExposedHogQLError):
    code = "hogql_query_error"


class InternalHogQLError(HogQLError):
    """A bug of ours, not the user's: never shown verbatim."""

    code = "hogql_internal_error"
