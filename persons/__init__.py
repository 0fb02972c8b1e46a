"""Persons: the app-database source of truth for person properties and distinct ids, and their read API."""
