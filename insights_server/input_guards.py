"""A guard in front of every view: a NUL character in the URL path never reaches a lookup.

PostgreSQL cannot store or compare text holding U+0000 (psycopg raises DataError), so a text id such as a personal
API key's would end in a 500. No route names such a thing: the answer is the JSON 404 of an unknown endpoint.
Query parameters are each view's to read (`insights_server.params.text_param` refuses a NUL; insight search strips
it); JSON bodies are checked by `insights_server.parsers.BoundedJSONParser`.
"""

from django.http import JsonResponse

from insights_server.exceptions import ENDPOINT_NOT_FOUND_DETAIL, error_body


class RejectNulInPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return JsonResponse(error_body("invalid_request", "not_found", ENDPOINT_NOT_FOUND_DETAIL), status=404)
        return self.get_response(request)
