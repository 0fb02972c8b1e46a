"""The alert state machine (spec sharing-alerts-auth-activity §2.11)."""

import pytest

from alerts.schema import AlertState
from alerts.states import AlertEvent, InvalidTransition, check_event, notifies, transition

FIRING, NOT_FIRING, ERRORED, SNOOZED = (
    AlertState.FIRING,
    AlertState.NOT_FIRING,
    AlertState.ERRORED,
    AlertState.SNOOZED,
)


@pytest.mark.parametrize(
    ("state", "event", "expected"),
    [
        (NOT_FIRING, AlertEvent.CHECK_FIRED, FIRING),
        (FIRING, AlertEvent.CHECK_FIRED, FIRING),
        (FIRING, AlertEvent.CHECK_PASSED, NOT_FIRING),
        (NOT_FIRING, AlertEvent.CHECK_ERRORED, ERRORED),
        (FIRING, AlertEvent.CHECK_ERRORED, ERRORED),
        (ERRORED, AlertEvent.CHECK_PASSED, NOT_FIRING),
        (FIRING, AlertEvent.SNOOZED, SNOOZED),
        (SNOOZED, AlertEvent.UNSNOOZED, NOT_FIRING),
        (SNOOZED, AlertEvent.SNOOZE_EXPIRED, NOT_FIRING),
        (FIRING, AlertEvent.RESET, NOT_FIRING),
        (ERRORED, AlertEvent.DISABLED, NOT_FIRING),
        (FIRING, AlertEvent.AUTO_DISABLED, ERRORED),
    ],
)
def test_transitions(state, event, expected):
    assert transition(state, event) == expected


def test_state_strings_are_accepted():
    assert transition("Not firing", AlertEvent.CHECK_FIRED) == FIRING


@pytest.mark.parametrize("event", [AlertEvent.CHECK_FIRED, AlertEvent.CHECK_PASSED, AlertEvent.CHECK_ERRORED])
def test_a_snoozed_alert_is_not_checked_before_its_snooze_ends(event):
    with pytest.raises(InvalidTransition):
        transition(SNOOZED, event)


def test_snooze_can_only_expire_when_snoozed():
    with pytest.raises(InvalidTransition) as error:
        transition(FIRING, AlertEvent.SNOOZE_EXPIRED)
    assert str(error.value) == "An alert in state 'Firing' cannot take event 'snooze_expired'"


def test_check_event_error_wins_over_breaches():
    assert check_event(errored=True, breaches=["x"]) == AlertEvent.CHECK_ERRORED
    assert check_event(errored=False, breaches=["x"]) == AlertEvent.CHECK_FIRED
    assert check_event(errored=False, breaches=[]) == AlertEvent.CHECK_PASSED


def test_firing_and_errored_checks_notify():
    assert [notifies(state) for state in (FIRING, ERRORED, NOT_FIRING, SNOOZED)] == [True, True, False, False]
