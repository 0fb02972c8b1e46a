"""The definitions API: `/event_definitions/` and `/property_definitions/` (spec §2.4, §2.5)."""
