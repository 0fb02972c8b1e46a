"""Query modifiers a project may store: the allowed keys and the engine defaults shown as `default_modifiers`.

Pure data in the core so project settings can validate and render modifiers without importing `queries`.
"""

MODIFIER_KEYS = frozenset(
    {
        "bounceRateDurationSeconds",
        "bounceRatePageViewMode",
        "convertToProjectTimezone",
        "customChannelTypeRules",
        "dataWarehouseEventsModifiers",
        "debug",
        "formatCsvAllowDoubleQuotes",
        "inCohortVia",
        "materializationMode",
        "optimizeJoinedFilters",
        "personsArgMaxVersion",
        "personsJoinMode",
        "personsOnEventsMode",
        "propertyGroupsMode",
        "s3TableUseInvalidColumns",
        "sessionTableVersion",
        "sessionsV2JoinMode",
        "useMaterializedViews",
        "usePresortedEventsTable",
        "useWebAnalyticsPreAggregatedTables",
    }
)

DEFAULT_MODIFIERS = {
    "personsOnEventsMode": "person_id_override_properties_on_events",
    "personsArgMaxVersion": "auto",
    "inCohortVia": "auto",
    "materializationMode": "legacy_null_as_null",
    "optimizeJoinedFilters": False,
    "bounceRatePageViewMode": "count_pageviews",
    "sessionTableVersion": "auto",
    "convertToProjectTimezone": True,
}


def default_modifiers(project_modifiers: dict | None) -> dict:
    """The full modifier set for a project: engine defaults overlaid with the project's own."""
    return {**DEFAULT_MODIFIERS, **(project_modifiers or {})}
