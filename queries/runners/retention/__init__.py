"""Retention insights (spec §1.7, §2.4, §3.10)."""

from queries.runners.retention.runner import RetentionQueryRunner

__all__ = ["RetentionQueryRunner"]
