"""API scopes: the objects a personal API key can be scoped to, and how a scope string is validated."""

SCOPE_OBJECTS = (
    "action",
    "activity_log",
    "alert",
    "annotation",
    "batch_export",
    "cohort",
    "comment",
    "dashboard",
    "dashboard_template",
    "early_access_feature",
    "event_definition",
    "experiment",
    "export",
    "feature_flag",
    "group",
    "hog_function",
    "insight",
    "insight_variable",
    "integration",
    "notebook",
    "organization",
    "organization_member",
    "person",
    "personal_api_key",
    "plugin",
    "project",
    "property_definition",
    "query",
    "session_recording",
    "session_recording_playlist",
    "sharing_configuration",
    "subscription",
    "survey",
    "user",
    "webhook",
)
SCOPE_ACTIONS = ("read", "write")

# Actions a scope object maps to when a view declares nothing else.
DEFAULT_READ_ACTIONS = ("list", "retrieve")
DEFAULT_WRITE_ACTIONS = ("create", "update", "partial_update", "patch", "destroy")

# A view whose actions never take API keys.
INTERNAL = "INTERNAL"


def is_valid_scope(scope: str) -> bool:
    if scope == "*":
        return True
    obj, _, action = scope.partition(":")
    return obj in SCOPE_OBJECTS and action in SCOPE_ACTIONS


def scope_satisfied(required: str, granted: list[str]) -> bool:
    """A `:read` requirement is also met by the object's `:write` scope."""
    if "*" in granted or required in granted:
        return True
    obj, _, action = required.partition(":")
    return action == "read" and f"{obj}:write" in granted
