"""Event and property definitions: what a project has captured, with each property's type (spec §2)."""
