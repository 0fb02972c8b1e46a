"""FunnelsQuery checks that PostHog answers with a validation error (spec §1.6); each message is a constant."""

from queries.hogql.errors import QueryError

MIN_STEPS, MAX_STEPS = 2, 20
TOO_FEW_STEPS = "Funnels require at least two steps before calculating."
TOO_MANY_STEPS = f"Funnels can have at most {MAX_STEPS} steps."
SERIES_KIND_UNSUPPORTED = "Funnel steps of kind {kind} are not supported yet."
GROUP_TYPE_INDEX = "aggregation_group_type_index must be between 0 and 4."
FROM_STEP_OUT_OF_RANGE = "funnelFromStep must be between 0 and {max_step}."
TO_STEP_OUT_OF_RANGE = "funnelToStep must be between 1 and {max_step}, and greater than funnelFromStep."
EXCLUSION_RANGE = "Exclusion event range is invalid. End of range should be greater than start."
EXCLUSION_OUT_OF_RANGE = "Exclusion event range is invalid. Step numbers must be between 0 and {max_step}."
EXCLUSION_IS_STEP = "Exclusion steps cannot contain an event that's part of funnel steps."
PARTIAL_EXCLUSION_UNORDERED = "Partial Exclusions not allowed in unordered funnels"
OPTIONAL_STEPS_VIZ = "Optional steps are only supported in ordered or strict funnels with the steps visualization."
OPTIONAL_FIRST_STEP = "The first step of a funnel cannot be optional."
OPTIONAL_SAME_AS_NEXT = "An optional step cannot be the same as the required step that follows it."
ATTRIBUTION_STEP_RANGE = "breakdownAttributionValue must be a step index between 0 and {max_step}."
ATTRIBUTION_STEP_UNORDERED = "Unordered funnels only allow step breakdown attribution on the first step."
WINDOW_INTERVAL = "funnelWindowInterval must be a positive whole number."


def _entity_key(node) -> tuple:
    props = [p.model_dump(exclude_none=True) if hasattr(p, "model_dump") else p for p in (node.properties or [])]
    return (node.kind, getattr(node, "event", None), getattr(node, "id", None), repr(props))


def _is_superset_of(exclusion, step) -> bool:
    """The exclusion matches every event the step matches: same event and no extra property filter."""
    if getattr(exclusion, "event", None) != getattr(step, "event", None) or exclusion.kind != step.kind:
        return False
    if exclusion.kind == "ActionsNode" and exclusion.id != step.id:
        return False
    excluded = [repr(p) for p in (exclusion.properties or [])]
    stepped = [repr(p) for p in (step.properties or [])]
    return all(item in stepped for item in excluded)


def validate_steps(series: list) -> None:
    if len(series) < MIN_STEPS:
        raise QueryError(TOO_FEW_STEPS)
    if len(series) > MAX_STEPS:
        raise QueryError(TOO_MANY_STEPS)
    for node in series:
        if node.kind not in ("EventsNode", "ActionsNode"):
            raise QueryError(SERIES_KIND_UNSUPPORTED.format(kind=node.kind))


def validate_funnel(query, funnels_filter, order: str, viz: str) -> None:
    """Raises QueryError for every combination PostHog rejects (and the ones we do not support yet)."""
    series = query.series
    validate_steps(series)
    group = query.aggregation_group_type_index
    if group is not None and not 0 <= group <= 4:
        raise QueryError(GROUP_TYPE_INDEX)
    steps = len(series)
    if funnels_filter.funnelWindowInterval is not None and funnels_filter.funnelWindowInterval < 1:
        raise QueryError(WINDOW_INTERVAL)
    if viz in ("trends", "time_to_convert"):
        from_step, to_step = funnels_filter.funnelFromStep, funnels_filter.funnelToStep
        if from_step is not None and not 0 <= from_step <= steps - 2:
            raise QueryError(FROM_STEP_OUT_OF_RANGE.format(max_step=steps - 2))
        if to_step is not None and not (1 <= to_step <= steps - 1 and to_step > (from_step or 0)):
            raise QueryError(TO_STEP_OUT_OF_RANGE.format(max_step=steps - 1))
    for exclusion in funnels_filter.exclusions or []:
        if exclusion.funnelFromStep >= exclusion.funnelToStep:
            raise QueryError(EXCLUSION_RANGE)
        if exclusion.funnelFromStep < 0 or exclusion.funnelToStep > steps - 1:
            raise QueryError(EXCLUSION_OUT_OF_RANGE.format(max_step=steps - 1))
        for step in series[exclusion.funnelFromStep : exclusion.funnelToStep + 1]:
            if _is_superset_of(exclusion, step):
                raise QueryError(EXCLUSION_IS_STEP)
        if order == "unordered" and (exclusion.funnelFromStep != 0 or exclusion.funnelToStep != steps - 1):
            raise QueryError(PARTIAL_EXCLUSION_UNORDERED)
    optional = [index for index, node in enumerate(series) if node.optionalInFunnel]
    if optional:
        if viz != "steps" or order == "unordered":
            raise QueryError(OPTIONAL_STEPS_VIZ)
        if 0 in optional:
            raise QueryError(OPTIONAL_FIRST_STEP)
        for index in optional:
            following = series[index + 1] if index + 1 < steps else None
            required_next = following is not None and not following.optionalInFunnel
            if required_next and _entity_key(following) == _entity_key(series[index]):
                raise QueryError(OPTIONAL_SAME_AS_NEXT)
    if query.breakdownFilter and funnels_filter.breakdownAttributionType == "step":
        value = funnels_filter.breakdownAttributionValue or 0
        if not 0 <= value <= steps - 1:
            raise QueryError(ATTRIBUTION_STEP_RANGE.format(max_step=steps - 1))
        if order == "unordered" and value != 0:
            raise QueryError(ATTRIBUTION_STEP_UNORDERED)
