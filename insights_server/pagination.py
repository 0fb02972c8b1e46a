"""Limit/offset pagination with PostHog's default page size of 100."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 100
