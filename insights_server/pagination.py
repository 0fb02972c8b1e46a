"""Limit/offset pagination with PostHog's default page size of 100, and bounds on both numbers."""

from rest_framework import pagination

from insights_server.params import MAX_INTEGER

MAX_PAGE_SIZE = 10_000


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """A `limit` above MAX_PAGE_SIZE is served as MAX_PAGE_SIZE (DRF's cut-off); an `offset` past MAX_INTEGER is
    served as MAX_INTEGER (an empty page) rather than overflowing the database's integer."""

    default_limit = 100
    max_limit = MAX_PAGE_SIZE

    def get_offset(self, request) -> int:
        try:
            return pagination._positive_int(request.query_params[self.offset_query_param], cutoff=MAX_INTEGER)
        except (KeyError, ValueError):
            return 0
