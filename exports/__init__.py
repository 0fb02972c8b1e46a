"""Exports (`/api/projects/:id/exports/`): PNG pictures, CSV and JSON of an insight's result or a query, generated
in the request (spec exports-definitions-limits §1)."""
