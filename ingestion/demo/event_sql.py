"""The INSERT ... SELECT that expands staged demo sessions into event rows inside ClickHouse.

Each property is declared once (`COMMON_PROPERTIES`, `KIND_PROPERTIES`) and used twice: to build the
properties JSON and to fill the events table's MATERIALIZED property columns directly
(`insert_allow_materialized_columns`), which is several times faster than letting ClickHouse parse the JSON
again for every column. The values are exactly what `schema.trimmed_property` would extract (no value holds
a quote or a backslash); tests compare the two.
"""

from ingestion.clickhouse_writer import EVENT_COLUMNS
from ingestion.demo import catalog
from ingestion.demo.population import MAX_GAP_MS
from queries.clickhouse.schema import MATERIALIZED_PROPERTIES, PROPERTY_COLUMNS, materialized_column_name

LIB_VERSION = "1.200.0"
# Gaps between consecutive events of a session lie in [MIN_GAP_MS, MAX_GAP_MS).
MIN_GAP_MS = 1000
# How "m" and "x" filler codes resolve: (code, cumulative share out of 100) checked in order.
MARKETING_FILLER = (("p", 68), ("k", 100))
APP_FILLER = (("a", 40), ("q", 70), ("i", 77), ("d", 97), ("v", 100))
EVENT_NAMES = {
    "k": "$autocapture",
    "q": "$autocapture",
    "u": "$autocapture",
    "y": "$autocapture",
    "S": "signed_up",
    "O": "onboarding_completed",
    "B": "purchase",
    "i": "insight_created",
    "d": "dashboard_viewed",
    "v": "invite_sent",
}  # every other code is a $pageview


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _array(values) -> str:
    return "[" + ", ".join(_literal(value) for value in values) + "]"


def _pick(values: tuple[str, ...]) -> str:
    return f"arrayElement({_array(values)}, 1 + h_pick % {len(values)})"


# (key, SQL expression of the value as text, is a JSON string). Expressions may use the columns of the
# inner query (kind, h_pick, host, pathname, session_id, referring_domain, dashboard_id) and users `u`.
COMMON_PROPERTIES = (
    ("$session_id", "session_id", True),
    ("$lib", "'web'", True),
    ("$lib_version", _literal(LIB_VERSION), True),
    ("$browser", "u.browser", True),
    ("$browser_version", "u.browser_version", False),
    ("$os", "u.os", True),
    ("$device_type", "u.device_type", True),
    ("$geoip_country_code", "u.country", True),
    ("$referring_domain", "referring_domain", True),
    ("$host", "host", True),
    ("$pathname", "pathname", True),
    ("$current_url", "concat('https://', host, pathname)", True),
)
# (event codes, their extra properties)
KIND_PROPERTIES = (
    (("k", "q", "u", "y"), (("$event_type", "'click'", True), ("$ce_version", "'1'", False))),
    (("S",), (("signup_method", "u.signup_method", True), ("plan", "'free'", True))),
    (("O",), (("steps_completed", "toString(3 + h_pick % 3)", False),)),
    (("B",), (("revenue", "u.revenue", False), ("plan", "u.plan", True), ("currency", "'USD'", True))),
    (("i",), (("insight_type", _pick(catalog.INSIGHT_TYPES), True),)),
    (("d",), (("dashboard_id", "toString(dashboard_id)", False),)),
    (("v",), (("invitee_count", "toString(1 + h_pick % 3)", False),)),
)


def _kinds(codes: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(_literal(code) for code in codes)})"


def _json_members(properties) -> list[str]:
    """concat() arguments writing `,"key":value` for each property (the caller drops the first comma)."""
    parts = []
    for key, expression, quoted in properties:
        parts += [_literal(f',"{key}":"' if quoted else f',"{key}":'), expression]
        if quoted:
            parts.append("'\"'")
    return parts


def properties_json() -> str:
    common = _json_members(COMMON_PROPERTIES)
    first_key, _, first_quoted = COMMON_PROPERTIES[0]
    common[0] = _literal(f'{{"{first_key}":"' if first_quoted else f'{{"{first_key}":')  # no leading comma
    branches = [f"{_kinds(codes)}, concat({', '.join(_json_members(extra))})" for codes, extra in KIND_PROPERTIES]
    return f"concat({', '.join(common)}, multiIf({', '.join(branches)}, ''), '}}')"


def property_value(key: str) -> str:
    """The trimmed value of property `key` on a demo event ('' where the event does not have it)."""
    for name, expression, _ in COMMON_PROPERTIES:
        if name == key:
            return expression
    branches = [
        f"{_kinds(codes)}, {expr}" for codes, extra in KIND_PROPERTIES for name, expr, _ in extra if name == key
    ]
    return f"multiIf({', '.join(branches)}, '')" if branches else "''"


def materialized_columns() -> dict[str, str]:
    """events column -> value expression, for every property column the events table materializes."""
    columns = {name: property_value(name) for name in PROPERTY_COLUMNS}
    columns |= {materialized_column_name(name): property_value(name) for name in MATERIALIZED_PROPERTIES}
    return columns


def _uuid7(ms_expression: str, hash_arguments: str, alias: str) -> str:
    """A UUIDv7 string (as PostHog SDKs send): 48 bits of epoch milliseconds, then hex digits of two hashes."""
    ms, rnd = f"{alias}_ms_hex", f"{alias}_random_hex"
    random_hex = (
        f"concat(leftPad(lower(hex(cityHash64({hash_arguments}, 1))), 16, '0'), "
        f"leftPad(lower(hex(cityHash64({hash_arguments}, 2))), 16, '0'))"
    )
    return (
        f"concat(substring(leftPad(lower(hex({ms_expression})), 12, '0') AS {ms}, 1, 8), '-', substring({ms}, 9, 4), "
        f"'-7', substring({random_hex} AS {rnd}, 1, 3), '-', "
        f"substring('89ab', 1 + reinterpretAsUInt8(substring({rnd}, 4, 1)) % 4, 1), substring({rnd}, 5, 3), '-', "
        f"substring({rnd}, 8, 12))"
    )


def _resolve(table: tuple[tuple[str, int], ...]) -> str:
    branches = ", ".join(f"h_kind < {limit}, '{code}'" for code, limit in table[:-1])
    return f"multiIf({branches}, '{table[-1][0]}')"


def events_sql(users_table: str, sessions_table: str) -> str:
    """INSERT ... SELECT expanding sessions [low, high) into events; parameters team_id, seed, low, high.

    Needs the setting insert_allow_materialized_columns=1.
    """
    names = list(EVENT_NAMES)
    click_chain = (
        f"multiIf(kind = 'k', {_pick(catalog.MARKETING_CLICKS)}, kind = 'q', {_pick(catalog.APP_CLICKS)}, "
        f"kind = 'u', {_literal(catalog.SIGNUP_CLICK)}, kind = 'y', {_literal(catalog.PURCHASE_CLICK)}, '')"
    )
    path = (
        f"multiIf(kind IN ('p', 'k'), {_pick(catalog.expand(catalog.MARKETING_PAGES))}, "
        f"kind = 'd', concat('/app/dashboards/', toString(dashboard_id)), kind = 'i', '/app/insights/new', "
        f"kind IN ('g', 'u', 'S'), {_literal(catalog.SIGNUP_PATH)}, "
        f"kind IN ('o', 'O'), {_literal(catalog.ONBOARDING_PATH)}, "
        f"kind IN ('c', 'y', 'B'), {_literal(catalog.CHECKOUT_PATH)}, "
        f"{_pick(catalog.expand(catalog.APP_PAGES))})"
    )
    host = f"if(kind IN ('p', 'k'), {_literal(catalog.MARKETING_HOST)}, {_literal(catalog.APP_HOST)})"
    referrers = _array(name for name, _ in catalog.REFERRERS)
    session_id = _uuid7("toUInt64(start_ms)", "{seed:UInt64}, {team_id:Int64}, sid", "session")
    event_uuid = _uuid7("toUInt64(intDiv(micros, 1000))", "{seed:UInt64}, {team_id:Int64}, sid, step", "event")
    gap = f"{MIN_GAP_MS} + cityHash64({{seed:UInt64}}, sid, i, 'gap') % {MAX_GAP_MS - MIN_GAP_MS}"
    materialized = materialized_columns()
    columns = ", ".join(f"`{name}`" for name in (*EVENT_COLUMNS, *materialized))
    materialized_values = "".join(f",\n    {expression}" for expression in materialized.values())
    return f"""
INSERT INTO events ({columns})
SELECT
    toUUID({event_uuid}),
    transform(kind, {_array(names)}, {_array(EVENT_NAMES[name] for name in names)}, '$pageview'),
    {properties_json()},
    fromUnixTimestamp64Micro(micros, 'UTC') AS event_time,
    {{team_id:Int64}},
    if(step < switch_at, u.anon_id, u.ident_id),
    {click_chain},
    event_time,
    u.person_id,
    fromUnixTimestamp64Milli(u.person_created_ms, 'UTC'),
    u.person_properties{materialized_values}
FROM (
    SELECT sid, uid, switch_at, session_id, referring_domain, step, h_pick, micros, kind,
           1 + h_pick % 5 AS dashboard_id, {host} AS host, {path} AS pathname
    FROM (
        SELECT sid, uid, switch_at, session_id, referring_domain, position - 1 AS step,
               cityHash64({{seed:UInt64}}, sid, position) AS h,
               intDiv(h, 100000) AS h_pick,
               intDiv(h, 1000) % 100 AS h_kind,
               (start_ms + offset_ms) * 1000 + h % 1000 AS micros,
               multiIf(code = 'm', {_resolve(MARKETING_FILLER)}, code = 'x', {_resolve(APP_FILLER)}, code) AS kind
        FROM (
            SELECT sid, uid, start_ms, switch_at, {session_id} AS session_id,
                   arrayElement({referrers}, referrer + 1) AS referring_domain,
                   splitByString('', script) AS codes,
                   arrayCumSum(arrayMap(i -> if(i = 1, 0, {gap}), arrayEnumerate(codes))) AS offsets
            FROM {sessions_table}
            WHERE sid >= {{low:UInt32}} AND sid < {{high:UInt32}}
        )
        ARRAY JOIN codes AS code, offsets AS offset_ms, arrayEnumerate(codes) AS position
    )
) AS s
INNER JOIN {users_table} AS u ON u.uid = s.uid
"""
