"""PostHog's colours for insight series, lifecycle statuses and chart chrome."""

# PostHog's `--data-color-1` .. `--data-color-15` (frontend/src/styles/vars.scss): series take them in order.
DATA_COLORS = (
    "#1d4aff",
    "#621da6",
    "#42827e",
    "#ce0e74",
    "#f14f58",
    "#7c440e",
    "#529a0a",
    "#0476fb",
    "#fe729e",
    "#35416b",
    "#41cbc4",
    "#b64b02",
    "#e4a604",
    "#a56eff",
    "#30d5c8",
)

# `--lifecycle-*`: new is the primary blue, returning success green, resurrecting lilac, dormant danger red.
LIFECYCLE_COLORS = {
    "new": "#1d4aff",
    "returning": "#388600",
    "resurrecting": "#a56eff",
    "dormant": "#db3707",
}

PRIMARY = "#1d4aff"
TEXT = "#111111"
MUTED = "#5f5f5f"
AXIS = "#999999"
GRID = "#eeeeee"
BORDER = "#dadbd2"
TABLE_HEADER = "#f3f4ef"
TABLE_STRIPE = "#f9faf7"
BACKGROUND = "#ffffff"
DANGER = "#db3707"
SUCCESS = "#388600"


def series_color(index: int) -> str:
    """The colour of the `index`-th series, cycling through PostHog's fifteen data colours."""
    return DATA_COLORS[index % len(DATA_COLORS)]


def cell_color(fraction: float) -> tuple[float, float, float, float]:
    """Retention cell fill: the primary blue with an opacity that grows with the value (0..1)."""
    fraction = min(max(fraction, 0.0), 1.0)
    red, green, blue = (int(PRIMARY[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (red, green, blue, 0.08 + 0.92 * fraction)


def text_on(fraction: float) -> str:
    """Text colour readable on a retention cell of that value."""
    return BACKGROUND if fraction >= 0.5 else TEXT
