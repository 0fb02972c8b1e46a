"""The Dashboards REST API."""
