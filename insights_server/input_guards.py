"""A guard in front of every view: a NUL character in the URL or a query parameter never reaches PostgreSQL.

PostgreSQL cannot store or compare text holding U+0000 (psycopg raises DataError), so a filter such as
`?scope=%00` ended in a 500 wherever the value reached a query. Answered up front, in PostHog's error shape: 400
for a query parameter (naming it), 404 for a path (no route names such a thing). JSON bodies are checked by
`insights_server.parsers.BoundedJSONParser`.
"""

from django.http import JsonResponse

from insights_server.exceptions import ENDPOINT_NOT_FOUND_DETAIL, error_body

NUL_IN_PARAMETER = "Query parameters may not contain the NUL character (\\u0000)."


def parameter_with_nul(query_dict) -> str | None:
    """The name of the first query parameter whose name or any value holds a NUL character, or None."""
    for name, values in query_dict.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "")
    return None


class RejectNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return JsonResponse(error_body("invalid_request", "not_found", ENDPOINT_NOT_FOUND_DETAIL), status=404)
        if "%00" in request.META.get("QUERY_STRING", ""):
            name = parameter_with_nul(request.GET)
            if name is not None:
                body = error_body("validation_error", "invalid_input", NUL_IN_PARAMETER, name or None)
                return JsonResponse(body, status=400)
        return self.get_response(request)
