"""Query runners: one per query kind, all sharing the base class's run/caching contract."""
