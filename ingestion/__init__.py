"""Events in: PostHog-compatible capture endpoints, normalisation, the durable spool, persons, demo data."""
