"""Changing definitions through the API: the verified/hidden rules and the type a person sets (spec §2.4, §2.5)."""

from django.utils import timezone

from definitions.models import EventDefinition, PropertyDefinition
from definitions.recording import forget_project
from definitions.selectors import forget_typed_definitions

TAXONOMY_FIELDS = ("description", "tags", "owner", "default_columns")


def _apply_verified_hidden(definition, data: dict, user) -> list[str]:
    """1. `hidden: true` un-verifies. 2. `verified: true` stamps who and when (once) and un-hides.
    3. `verified: false` clears the stamp. Returns the fields changed."""
    changed = []
    if data.get("hidden") is True:
        definition.hidden, definition.verified, definition.verified_by, definition.verified_at = True, False, None, None
        changed += ["hidden", "verified", "verified_by", "verified_at"]
    elif "hidden" in data:
        definition.hidden = False
        changed.append("hidden")
    if data.get("verified") is True and not definition.verified:
        definition.verified, definition.verified_by, definition.verified_at = True, user, timezone.now()
        definition.hidden = False
        changed += ["verified", "verified_by", "verified_at", "hidden"]
    elif data.get("verified") is False:
        definition.verified, definition.verified_by, definition.verified_at = False, None, None
        changed += ["verified", "verified_by", "verified_at"]
    return changed


def event_definition_update(definition: EventDefinition, data: dict, user) -> EventDefinition:
    """Applies validated serializer data (description, tags, owner, default_columns, verified, hidden)."""
    changed = _apply_verified_hidden(definition, data, user)
    for name in TAXONOMY_FIELDS:
        if name in data:
            setattr(definition, name, data[name])
            changed.append(name)
    definition.updated_at, definition.updated_by = timezone.now(), user
    definition.save(update_fields=sorted({*changed, "updated_at", "updated_by"}))
    return definition


def property_definition_update(definition: PropertyDefinition, data: dict, user) -> PropertyDefinition:
    """As event_definition_update; a new `property_type` also sets `is_numerical` (Numeric or not)."""
    changed = _apply_verified_hidden(definition, data, user)
    for name in ("description", "tags", "owner"):
        if name in data:
            setattr(definition, name, data[name])
            changed.append(name)
    if "property_type" in data:
        definition.property_type = data["property_type"]
        definition.is_numerical = data["property_type"] == PropertyDefinition.PropertyType.NUMERIC
        changed += ["property_type", "is_numerical"]
        forget_typed_definitions(definition.project_id)
    definition.updated_at, definition.updated_by = timezone.now(), user
    definition.save(update_fields=sorted({*changed, "updated_at", "updated_by"}))
    return definition


def definition_delete(definition: EventDefinition | PropertyDefinition) -> None:
    """Deletes the row; capture forgets the project's cached names, so the next event seen records it again."""
    project_id = definition.project_id
    definition.delete()
    forget_project(project_id)
    forget_typed_definitions(project_id)
