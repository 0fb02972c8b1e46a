"""Cohorts: saved sets of persons, static (uploaded, saved from a query) or dynamic (computed from filters)."""
