"""What a user may read of a failed query: the `detail` of a domain error of their own making, nothing else.

Used where an error is recorded rather than raised (async status records, insight `query_status`); raised
errors reach the API's exception handler, which maps domain errors to responses.
"""

from insights_server.errors import DomainError


def user_safe_error_message(error: Exception) -> str | None:
    """The message of an error a user may see (their query's fault), else None (an internal error: log it)."""
    if isinstance(error, DomainError) and error.status_code < 500:
        return error.detail
    return None
