"""The FunnelsQuery runner: steps, time to convert and trends over one per-actor sequence evaluation."""
