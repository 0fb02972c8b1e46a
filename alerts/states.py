"""The alert state machine (spec sharing-alerts-auth-activity §2.11): which event moves an alert to which state."""

from enum import StrEnum

from alerts.schema import AlertState


class AlertEvent(StrEnum):
    CHECK_FIRED = "check_fired"  # a check found breaches (or an anomaly)
    CHECK_PASSED = "check_passed"  # a check found nothing
    CHECK_ERRORED = "check_errored"  # evaluation raised
    SNOOZED = "snoozed"  # PATCH snoozed_until to a time
    UNSNOOZED = "unsnoozed"  # PATCH snoozed_until to null
    SNOOZE_EXPIRED = "snooze_expired"  # a check found snoozed_until in the past
    RESET = "reset"  # threshold or condition changed
    DISABLED = "disabled"  # enabled set to false
    AUTO_DISABLED = "auto_disabled"  # the config became invalid; the alert is switched off


class InvalidTransition(Exception):
    def __init__(self, state: AlertState, event: AlertEvent):
        super().__init__(f"An alert in state {state.value!r} cannot take event {event.value!r}")
        self.state, self.event = state, event


ANY_STATE = frozenset(AlertState)
# A snoozed alert is not checked: its snooze has to expire (or be lifted) first.
CHECKABLE = frozenset({AlertState.NOT_FIRING, AlertState.FIRING, AlertState.ERRORED})

# event -> (states it may leave, state it enters)
TRANSITIONS: dict[AlertEvent, tuple[frozenset[AlertState], AlertState]] = {
    AlertEvent.CHECK_FIRED: (CHECKABLE, AlertState.FIRING),
    AlertEvent.CHECK_PASSED: (CHECKABLE, AlertState.NOT_FIRING),
    AlertEvent.CHECK_ERRORED: (CHECKABLE, AlertState.ERRORED),
    AlertEvent.SNOOZED: (ANY_STATE, AlertState.SNOOZED),
    AlertEvent.UNSNOOZED: (ANY_STATE, AlertState.NOT_FIRING),
    AlertEvent.SNOOZE_EXPIRED: (frozenset({AlertState.SNOOZED}), AlertState.NOT_FIRING),
    AlertEvent.RESET: (ANY_STATE, AlertState.NOT_FIRING),
    AlertEvent.DISABLED: (ANY_STATE, AlertState.NOT_FIRING),
    AlertEvent.AUTO_DISABLED: (ANY_STATE, AlertState.ERRORED),
}
# States whose checks send notifications (every such check, as PostHog's Celery pipeline does).
NOTIFYING_STATES = frozenset({AlertState.FIRING, AlertState.ERRORED})


def transition(state: AlertState | str, event: AlertEvent) -> AlertState:
    """The state after `event`. Raises InvalidTransition when the event cannot happen in `state`."""
    state = AlertState(state)
    sources, target = TRANSITIONS[event]
    if state not in sources:
        raise InvalidTransition(state, event)
    return target


def check_event(*, errored: bool, breaches: list[str]) -> AlertEvent:
    """The event of a finished check: an error wins, then any breach fires."""
    if errored:
        return AlertEvent.CHECK_ERRORED
    return AlertEvent.CHECK_FIRED if breaches else AlertEvent.CHECK_PASSED


def notifies(state: AlertState | str) -> bool:
    return AlertState(state) in NOTIFYING_STATES
