"""The functions HogQL may call: everything else is rejected. Names map to ClickHouse names with arity limits.

Table functions (`file`, `url`, `remote`, `s3`, `mysql`, `cluster`, ...) are absent on purpose, and so is
anything that reads server state or the file system.
"""

import difflib
from dataclasses import dataclass

from queries.hogql.errors import QueryError


@dataclass(frozen=True)
class Function:
    clickhouse: str
    min_args: int = 0
    max_args: int | None = None  # None = any number
    min_params: int = 0
    max_params: int = 0


def _table(spec: str, **kwargs) -> dict[str, Function]:
    """`name:min:max` entries separated by spaces; max `*` means unlimited; a `=chName` renames."""
    table = {}
    for entry in spec.split():
        name, rest = entry.split(":", 1)
        clickhouse = name
        if "=" in rest:
            rest, clickhouse = rest.split("=", 1)
        low, high = rest.split(":")
        table[name] = Function(clickhouse, int(low), None if high == "*" else int(high), **kwargs)
    return table


SCALAR = _table(
    # arithmetic and comparison
    "plus:2:2 minus:2:2 multiply:2:2 divide:2:2 intDiv:2:2 intDivOrZero:2:2 modulo:2:2 moduloOrZero:2:2 "
    "negate:1:1 abs:1:1 gcd:2:2 lcm:2:2 equals:2:2 notEquals:2:2 less:2:2 greater:2:2 lessOrEquals:2:2 "
    "greaterOrEquals:2:2 and:2:* or:2:* xor:2:* not:1:1 least:2:2 greatest:2:2 min2:2:2 max2:2:2 "
    # math
    "exp:1:1 log:1:1 ln:1:1 exp2:1:1 log2:1:1 exp10:1:1 log10:1:1 sqrt:1:1 cbrt:1:1 erf:1:1 pow:2:2 power:2:2 "
    "sin:1:1 cos:1:1 tan:1:1 asin:1:1 acos:1:1 atan:1:1 pi:0:0 e:0:0 round:1:2 floor:1:2 ceil:1:2 trunc:1:2 "
    "roundBankers:1:2 sign:1:1 isNaN:1:1 isFinite:1:1 isInfinite:1:1 "
    # type conversion
    "toInt:1:1=toInt64OrNull toFloat:1:1=toFloat64OrNull toDecimal:2:2=toDecimal64OrNull toString:1:2 "
    "toUUID:1:1=toUUIDOrNull toInt8:1:1 toInt16:1:1 toInt32:1:1 toInt64:1:1 toUInt8:1:1 toUInt16:1:1 "
    "toUInt32:1:1 toUInt64:1:1 toFloat32:1:1 toFloat64:1:1 toIntOrZero:1:1=toInt64OrZero "
    "toFloatOrZero:1:1=toFloat64OrZero toBool:1:1 toTypeName:1:1 reinterpretAsString:1:1 "
    # conditional and nulls
    "if:3:3 multiIf:3:* ifNull:2:2 nullIf:2:2 coalesce:1:* isNull:1:1 isNotNull:1:1 assumeNotNull:1:1 "
    "toNullable:1:1 isZeroOrNull:1:1 transform:3:4 "
    # strings
    "length:1:1 empty:1:1 notEmpty:1:1 lower:1:1 upper:1:1 lowerUTF8:1:1 upperUTF8:1:1 reverse:1:1 "
    "concat:2:* substring:2:3 substr:2:3=substring substringUTF8:2:3 trim:1:1 trimLeft:1:1 trimRight:1:1 "
    "leftPad:2:3 rightPad:2:3 left:2:2 right:2:2 repeat:2:2 position:2:3 positionCaseInsensitive:2:3 "
    "positionUTF8:2:3 positionCaseInsensitiveUTF8:2:3 startsWith:2:2 endsWith:2:2 like:2:2 ilike:2:2 "
    "notLike:2:2 notILike:2:2 match:2:2 extract:2:2 extractAll:2:2 replaceOne:3:3 replaceAll:3:3 "
    "replaceRegexpOne:3:3 replaceRegexpAll:3:3 splitByChar:2:3 splitByString:2:3 splitByRegexp:2:3 "
    "arrayStringConcat:1:2 format:2:* lengthUTF8:1:1 base64Encode:1:1 base64Decode:1:1=tryBase64Decode "
    "encodeURLComponent:1:1 decodeURLComponent:1:1 domain:1:1 domainWithoutWWW:1:1 topLevelDomain:1:1 "
    "protocol:1:1 path:1:1 pathFull:1:1 queryString:1:1 fragment:1:1 extractURLParameter:2:2 "
    "cutQueryString:1:1 cutFragment:1:1 cutQueryStringAndFragment:1:1 cutURLParameter:2:2 "
    "MD5:1:1 SHA256:1:1 cityHash64:1:* sipHash64:1:* xxHash64:1:* hex:1:1 unhex:1:1 "
    "splitByWhitespace:1:2 ngrams:2:2 normalizeUTF8NFC:1:1 "
    # JSON
    "JSONHas:2:* JSONLength:1:* JSONType:1:* JSONExtractUInt:1:* JSONExtractInt:1:* JSONExtractFloat:1:* "
    "JSONExtractBool:1:* JSONExtractString:1:* JSONExtractRaw:1:* JSONExtractArrayRaw:1:* "
    "JSONExtractKeys:1:* JSONExtractKeysAndValues:2:* JSONExtract:2:* isValidJSON:1:1 "
    # dates and times
    "now:0:1=now64 today:0:0 yesterday:0:0 toDate:1:2 toDateTime:1:2 toDateTime64:2:3 toTimeZone:2:2 "
    "toYear:1:2 toQuarter:1:2 toMonth:1:2 toDayOfYear:1:2 toDayOfMonth:1:2 toDayOfWeek:1:3 toHour:1:2 "
    "toMinute:1:2 toSecond:1:2 toUnixTimestamp:1:2 toUnixTimestamp64Milli:1:1 toStartOfYear:1:2 toStartOfISOYear:1:2 "
    "toStartOfQuarter:1:2 toStartOfMonth:1:2 toMonday:1:2 toStartOfWeek:1:3 toStartOfDay:1:2 "
    "toStartOfHour:1:2 toStartOfMinute:1:2 toStartOfSecond:1:2 toStartOfFiveMinutes:1:2 toUnixTimestamp64Micro:1:1 "
    "toStartOfTenMinutes:1:2 toStartOfFifteenMinutes:1:2 toStartOfInterval:2:3 toISOWeek:1:2 "
    "toISOYear:1:2 toYYYYMM:1:2 toYYYYMMDD:1:2 toYYYYMMDDhhmmss:1:2 dateDiff:3:4 date_diff:3:4=dateDiff "
    "dateAdd:3:3 dateSub:3:3 date_add:3:3=dateAdd date_sub:3:3=dateSub addSeconds:2:2 addMinutes:2:2 "
    "addHours:2:2 addDays:2:2 addWeeks:2:2 addMonths:2:2 addQuarters:2:2 addYears:2:2 subtractSeconds:2:2 "
    "subtractMinutes:2:2 subtractHours:2:2 subtractDays:2:2 subtractWeeks:2:2 subtractMonths:2:2 "
    "subtractQuarters:2:2 subtractYears:2:2 timeSlot:1:1 formatDateTime:2:3 "
    "parseDateTimeBestEffort:1:2=parseDateTime64BestEffortOrNull "
    "parseDateTime64BestEffortOrNull:1:3 fromUnixTimestamp:1:2 fromUnixTimestamp64Milli:1:2 "
    "toIntervalSecond:1:1 toIntervalMinute:1:1 toIntervalHour:1:1 toIntervalDay:1:1 toIntervalWeek:1:1 "
    "toIntervalMonth:1:1 toIntervalQuarter:1:1 toIntervalYear:1:1 "
    # arrays, tuples, maps
    "array:0:* range:1:3 arrayConcat:2:* arrayRemove:2:2 arrayElement:2:2 has:2:2 hasAll:2:2 hasAny:2:2 indexOf:2:2 "
    "countEqual:2:2 arrayEnumerate:1:1 arrayEnumerateUniq:1:* arrayPopBack:1:1 arrayPopFront:1:1 "
    "arrayPushBack:2:2 arrayPushFront:2:2 arraySlice:2:3 arraySort:1:* arrayReverseSort:1:* "
    "arrayUniq:1:* arrayJoin:1:1 arrayDistinct:1:1 arrayCompact:1:1 arrayReverse:1:1 arrayFlatten:1:1 "
    "arrayZip:2:* arrayMap:2:* arrayFilter:2:* arrayExists:2:* arrayAll:2:* arrayFirst:2:* arrayLast:2:* "
    "arrayFirstIndex:2:* arrayFill:2:* arrayReverseFill:2:* arraySum:1:* arrayMin:1:* arrayMax:1:* arrayAvg:1:* "
    "arrayCount:1:* "
    "arrayCumSum:1:* arrayDifference:1:1 arrayReduce:2:* arrayResize:2:3 arrayStringConcat:1:2 "
    "arraySplit:2:* arrayFold:3:* emptyArrayString:0:0 emptyArrayInt64:0:0 length:1:1 tuple:0:* "
    "tupleElement:2:3 map:0:* mapKeys:1:1 mapValues:1:1 mapContains:2:2 "
    # other
    "generateUUIDv4:0:1 toColumnTypeName:1:1 bar:4:4 runningDifference:1:1 "
    # bits
    "bitAnd:2:2 bitOr:2:2 bitXor:2:2 bitNot:1:1 bitTest:2:2 bitShiftLeft:2:2 bitShiftRight:2:2 bitCount:1:1",
)

AGGREGATE = _table(
    "count:0:1 countIf:1:2 countDistinctIf:1:2 min:1:1 minIf:2:2 max:1:1 maxIf:2:2 sum:1:1 sumIf:2:2 "
    "avg:1:1 avgIf:2:2 any:1:1 anyIf:2:2 anyLast:1:1 argMin:2:2 argMinIf:3:3 argMax:2:2 argMaxIf:3:3 "
    "uniq:1:* uniqIf:2:* uniqExact:1:* uniqExactIf:2:* uniqHLL12:1:* uniqTheta:1:* groupArray:1:1 "
    "groupArrayIf:2:2 groupUniqArray:1:1 groupUniqArrayIf:2:2 groupArraySample:1:1 groupBitAnd:1:1 "
    "groupBitOr:1:1 stddevPop:1:1 stddevSamp:1:1 varPop:1:1 varSamp:1:1 covarPop:2:2 covarSamp:2:2 "
    "corr:2:2 median:1:1 sumMap:1:2 topK:1:1 count_distinct:1:1=uniqExact windowFunnel:2:* retention:1:* "
    "sequenceMatch:2:* sequenceCount:2:* histogram:1:1 simpleLinearRegression:2:2"
)
PARAMETRIC_AGGREGATE = {
    **_table(
        "quantile:1:1 quantileIf:2:2 quantiles:1:1 quantileExact:1:1 quantileTiming:1:1 "
        "quantileDeterministic:2:2 topK:1:1 groupArraySample:1:1 histogram:1:1 windowFunnel:2:* "
        "sequenceMatch:2:* sequenceCount:2:* groupArray:1:1",
        min_params=1,
        max_params=10,
    ),
}
WINDOW_ONLY = _table(
    "row_number:0:0 rank:0:0 dense_rank:0:0 lagInFrame:1:3 leadInFrame:1:3 first_value:1:1 last_value:1:1 "
    "nth_value:2:2 ntile:1:1 percent_rank:0:0 cume_dist:0:0"
)


def find_function(name: str, n_args: int, n_params: int, in_window: bool = False) -> tuple[Function, bool]:
    """(the function, is it an aggregate). Raises QueryError for unknown functions and wrong arity."""
    if n_params and name in PARAMETRIC_AGGREGATE:
        function, aggregate = PARAMETRIC_AGGREGATE[name], True
    elif name in AGGREGATE:
        function, aggregate = AGGREGATE[name], True
    elif name in SCALAR:
        function, aggregate = SCALAR[name], False
    elif in_window and name in WINDOW_ONLY:
        function, aggregate = WINDOW_ONLY[name], True
    elif name.lower() in AGGREGATE:
        function, aggregate = AGGREGATE[name.lower()], True
    elif name in WINDOW_ONLY:
        raise QueryError(f"Window function '{name}(...)' can only be used with OVER (...)")
    elif name in PARAMETRIC_AGGREGATE:
        raise QueryError(f"Function '{name}' needs parameters, e.g. {name}(0.5)(x)")
    else:
        known = list(SCALAR) + list(AGGREGATE) + list(WINDOW_ONLY)
        close = [match for match in difflib.get_close_matches(name, known, n=2) if match != name][:1]
        hint = f" Perhaps you meant '{close[0]}(...)'?" if close else ""
        raise QueryError(f"Unsupported function call '{name}(...)'.{hint}")
    check_arity(name, function, n_args, n_params)
    return function, aggregate


def check_arity(name: str, function: Function, n_args: int, n_params: int) -> None:
    low, high = function.min_args, function.max_args
    if high is not None and low == high and n_args != low:
        raise QueryError(f"Function '{name}' expects {low} argument{'s' if low != 1 else ''}, found {n_args}")
    if n_args < low:
        raise QueryError(f"Function '{name}' expects at least {low} argument{'s' if low != 1 else ''}, found {n_args}")
    if high is not None and n_args > high:
        raise QueryError(f"Function '{name}' expects at most {high} argument{'s' if high != 1 else ''}, found {n_args}")
    if n_params and not function.max_params:
        raise QueryError(f"Function '{name}' does not accept parameters")
    if n_params > function.max_params or (function.min_params and n_params < function.min_params):
        raise QueryError(f"Function '{name}' expects {function.min_params} to {function.max_params} parameters")
