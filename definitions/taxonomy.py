"""The parts of PostHog's core taxonomy the definitions API needs: display names searched like names, the event
properties `exclude_core_properties` drops, and the built-in virtual person properties (spec §2.5)."""

# Display names of common properties: `?search=` finds a property by its name or by these words.
PROPERTY_LABELS = {
    "$browser": "Browser",
    "$browser_version": "Browser version",
    "$os": "OS",
    "$os_version": "OS version",
    "$device_type": "Device type",
    "$lib": "Library",
    "$lib_version": "Library version",
    "$current_url": "Current URL",
    "$pathname": "Path name",
    "$host": "Host",
    "$referrer": "Referrer URL",
    "$referring_domain": "Referring domain",
    "$screen_height": "Screen height",
    "$screen_width": "Screen width",
    "$viewport_height": "Viewport height",
    "$viewport_width": "Viewport width",
    "$session_id": "Session ID",
    "$window_id": "Window ID",
    "$pageview_id": "Pageview ID",
    "$geoip_country_name": "Country name",
    "$geoip_country_code": "Country code",
    "$geoip_city_name": "City name",
    "$ip": "IP address",
    "$initial_browser": "Initial browser",
    "$initial_os": "Initial OS",
    "$initial_device_type": "Initial device type",
    "$initial_referring_domain": "Initial referring domain",
    "$initial_referrer": "Initial referrer URL",
    "$initial_current_url": "Initial current URL",
    "$initial_pathname": "Initial path name",
    "email": "Email address",
}
# Event properties of the core taxonomy without a `$` (the `$` ones are dropped by their prefix).
CORE_EVENT_PROPERTIES = frozenset(
    {
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
        "gclid",
        "gad_source",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "fbclid",
        "msclkid",
        "twclid",
        "li_fat_id",
        "mc_cid",
        "igshid",
        "ttclid",
        "rdt_cid",
        "irclid",
        "_kx",
    }
)
# Never listed as event properties: person and group updates, identifiers, and session entry copies.
HIDDEN_EVENT_PROPERTIES = frozenset(
    {
        "distinct_id",
        "$set",
        "$set_once",
        "$initial_referrer",
        "$initial_referring_domain",
        "$groups",
        "$group_type",
        "$group_key",
        "$group_set",
        "$group_0",
        "$group_1",
        "$group_2",
        "$group_3",
        "$group_4",
    }
)
HIDDEN_EVENT_PROPERTY_PREFIX = "$session_entry_"
# (name, property_type) of the virtual person (and group) properties listed after the stored ones.
VIRTUAL_PROPERTIES = (
    ("$virt_initial_channel_type", "String"),
    ("$virt_initial_referring_domain_type", "String"),
    ("$virt_revenue", "Numeric"),
    ("$virt_revenue_last_30_days", "Numeric"),
)


def virtual_property(name: str, property_type: str) -> dict:
    return {
        "id": f"$builtin_{name}",
        "name": name,
        "is_numerical": property_type == "Numeric",
        "property_type": property_type,
        "tags": [],
        "virtual": True,
    }


def names_with_matching_label(words: list[str]) -> list[str]:
    """Names whose display name contains every word (case-insensitive)."""
    return [name for name, label in PROPERTY_LABELS.items() if all(word in label.lower() for word in words)]
