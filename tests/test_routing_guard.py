"""The project-scoped base viewset refuses, when a class is created, a subclass that would skip the project filter."""

import pytest

from insights_server.routing import ProjectScopedViewSet


def test_subclass_overriding_get_queryset_is_refused_at_class_creation():
    with pytest.raises(TypeError, match="overrides get_queryset"):

        class LeakyViewSet(ProjectScopedViewSet):
            def get_queryset(self):
                return super().get_queryset()


def test_subclass_narrowing_with_filter_project_queryset_is_accepted():
    class NarrowViewSet(ProjectScopedViewSet):
        def filter_project_queryset(self, queryset):
            return queryset.none()

    assert NarrowViewSet.get_queryset is ProjectScopedViewSet.get_queryset
