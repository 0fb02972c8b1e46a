"""The fixed vocabulary of the demo product: pages, devices, countries, names, click targets and their weights."""

MARKETING_HOST = "example.com"
APP_HOST = "app.example.com"

# (pathname, weight): marketing pages anonymous visitors browse.
MARKETING_PAGES = (
    ("/", 30),
    ("/pricing", 14),
    ("/features", 12),
    ("/docs", 9),
    ("/docs/getting-started", 6),
    ("/docs/api", 3),
    ("/blog/launch-week", 5),
    ("/blog/product-analytics-101", 6),
    ("/blog/how-we-built-insights", 4),
    ("/blog/retention-playbook", 3),
    ("/customers", 4),
    ("/about", 3),
)
# (pathname, weight): the logged-in product.
APP_PAGES = (
    ("/app/home", 25),
    ("/app/insights", 18),
    ("/app/insights/new", 9),
    ("/app/dashboards", 14),
    ("/app/dashboards/1", 8),
    ("/app/dashboards/2", 5),
    ("/app/events", 8),
    ("/app/persons", 6),
    ("/app/settings", 4),
    ("/app/settings/billing", 2),
    ("/app/onboarding", 1),
)
SIGNUP_PATH = "/signup"
CHECKOUT_PATH = "/checkout"
ONBOARDING_PATH = "/app/onboarding"

# (referring domain, weight) of a session's entry page.
REFERRERS = (
    ("$direct", 40),
    ("google.com", 28),
    ("news.ycombinator.com", 6),
    ("twitter.com", 5),
    ("github.com", 6),
    ("duckduckgo.com", 4),
    ("linkedin.com", 4),
    ("reddit.com", 4),
    ("bing.com", 3),
)

# (device type, weight) and, per device type, (os, browser, weight) choices.
DEVICE_TYPES = (("Desktop", 68), ("Mobile", 27), ("Tablet", 5))
PLATFORMS = {
    "Desktop": (
        ("Mac OS X", "Chrome", 22),
        ("Mac OS X", "Safari", 14),
        ("Mac OS X", "Firefox", 4),
        ("Windows", "Chrome", 30),
        ("Windows", "Edge", 12),
        ("Windows", "Firefox", 6),
        ("Linux", "Chrome", 6),
        ("Linux", "Firefox", 6),
    ),
    "Mobile": (
        ("iOS", "Safari", 40),
        ("iOS", "Chrome", 8),
        ("Android", "Chrome", 46),
        ("Android", "Firefox", 3),
        ("Android", "Edge", 3),
    ),
    "Tablet": (("iOS", "Safari", 60), ("Android", "Chrome", 40)),
}
BROWSER_VERSIONS = {
    "Chrome": (118, 119, 120, 121, 122, 123, 124, 125, 126),
    "Safari": (16.6, 17.0, 17.2, 17.4, 17.5),
    "Firefox": (121, 122, 123, 124, 125, 126),
    "Edge": (120, 121, 122, 123, 124, 125),
}

# (ISO country code, weight).
COUNTRIES = (
    ("US", 34),
    ("GB", 9),
    ("DE", 8),
    ("IN", 8),
    ("FR", 6),
    ("BR", 5),
    ("CA", 5),
    ("NL", 4),
    ("AU", 4),
    ("PL", 3),
    ("ES", 3),
    ("JP", 3),
    ("SE", 2),
    ("SG", 2),
)

FIRST_NAMES = (
    "Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jonas", "Kira", "Liam",
    "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Becker", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski",
    "Lopez", "Muller", "Novak", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Vogel", "Walsh", "Yilmaz",
)  # fmt: skip

# (plan, weight, possible revenues) for a purchase; everyone who signs up starts on "free".
PAID_PLANS = (("pro", 80, (29.0, 49.0, 290.0, 490.0)), ("enterprise", 20, (499.0, 1200.0, 4990.0)))

SIGNUP_METHODS = (("email", 55), ("google", 30), ("github", 15))
INSIGHT_TYPES = ("TRENDS", "FUNNELS", "RETENTION", "PATHS", "LIFECYCLE", "STICKINESS")

# Autocapture targets: elements_chain strings in PostHog's format (innermost element first).
MARKETING_CLICKS = (
    'a.nav-link:attr__class="nav-link"attr__href="/pricing"href="/pricing"nth-child="2"nth-of-type="2"text="Pricing";'
    'nav.navbar:attr__class="navbar"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"',
    'a.nav-link:attr__class="nav-link"attr__href="/docs"href="/docs"nth-child="3"nth-of-type="3"text="Docs";'
    'nav.navbar:attr__class="navbar"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"',
    'button.btn.btn-secondary:attr__class="btn btn-secondary"nth-child="1"nth-of-type="1"text="Learn more";'
    'div.hero:attr__class="hero"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"',
)
APP_CLICKS = (
    'button.btn.btn-primary:attr__class="btn btn-primary"attr__data-attr="new-insight"nth-child="1"nth-of-type="1"'
    'text="New insight";div.toolbar:attr__class="toolbar"nth-child="1"nth-of-type="1"',
    'button.btn:attr__class="btn"attr__data-attr="date-filter"nth-child="2"nth-of-type="1"text="Last 7 days";'
    'div.filters:attr__class="filters"nth-child="1"nth-of-type="1"',
    'a.sidebar-item:attr__class="sidebar-item"attr__href="/app/dashboards"href="/app/dashboards"nth-child="3"'
    'nth-of-type="3"text="Dashboards";aside.sidebar:attr__class="sidebar"nth-child="1"nth-of-type="1"',
    'input.search:attr__class="search"attr__placeholder="Search"nth-child="1"nth-of-type="1";'
    'div.header:attr__class="header"nth-child="1"nth-of-type="1"',
)
SIGNUP_CLICK = (
    'button.btn.btn-primary:attr__class="btn btn-primary"attr__type="submit"nth-child="1"nth-of-type="1"'
    'text="Sign up";form.signup-form:attr__class="signup-form"nth-child="2"nth-of-type="1";'
    'div.container:attr__class="container"nth-child="1"nth-of-type="1"'
)
PURCHASE_CLICK = (
    'button.btn.btn-primary:attr__class="btn btn-primary"attr__data-attr="checkout-pay"nth-child="1"'
    'nth-of-type="1"text="Pay now";form.checkout:attr__class="checkout"nth-child="1"nth-of-type="1"'
)

# Share of sessions starting in each UTC hour (a European and American working day overlapping).
HOUR_WEIGHTS = (2, 1.5, 1.2, 1, 1, 1.2, 2, 3.5, 5, 6.5, 7, 7, 6.5, 7, 7.5, 8, 8, 7, 6, 5, 4.5, 4, 3.5, 2.5)
# Relative activity on Monday..Sunday.
WEEKDAY_WEIGHTS = (1.0, 1.05, 1.05, 1.0, 0.9, 0.5, 0.45)


def expand(weighted: tuple) -> tuple[str, ...]:
    """The names of (name, weight, ...) pairs repeated by weight: lets SQL pick by `hash % length`."""
    return tuple(item[0] for item in weighted for _ in range(int(item[1])))
