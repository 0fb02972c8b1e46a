"""HogQL query modifiers for the engine: the keys and defaults live in the core (`insights_server.modifiers`)."""

from insights_server.modifiers import DEFAULT_MODIFIERS, MODIFIER_KEYS, default_modifiers

__all__ = ["DEFAULT_MODIFIERS", "MODIFIER_KEYS", "default_modifiers"]
