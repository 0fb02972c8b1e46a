"""Hog, PostHog's small scripting language: a pure interpreter (no Django, no ClickHouse). `execute(code)` runs a
program with PostHog's limits and ours; `run()` inside a program calls an injected HogQL callback."""

from queries.hog.execute import HogResult, execute
from queries.hog.runtime import Limits

__all__ = ["HogResult", "Limits", "execute"]
