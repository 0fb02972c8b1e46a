"""Sharing: tokens, passwords and public pages of insights and dashboards, drawn by the chart renderer."""
