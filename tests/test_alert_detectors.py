"""Anomaly detectors (spec sharing-alerts-auth-activity §2.9), each checked against numbers computed here."""

import math
import statistics

import numpy as np
import pytest

from alerts.detectors import DETECTORS, detect, required_samples
from alerts.detectors.config import (
    ENSEMBLE_NEEDS_TWO,
    INVALID_DETECTOR_CONFIG,
    LAGS_RANGE,
    SMOOTHING_RANGE,
    parse_detector_config,
    range_message,
)
from alerts.errors import DetectorConfigError

HISTORY = [10, 12, 11, 13, 12, 10, 11, 12, 14, 13, 12, 11, 10, 12, 13, 11, 12, 12, 13, 11]  # 20 points
PYOD_TYPES = ["ecod", "copod", "pca", "isolation_forest", "knn", "hbos", "lof", "ocsvm"]


def expected_normal_score(z: float) -> float:
    return math.erf(abs(z) / math.sqrt(2))


def test_registry_holds_every_type():
    assert set(DETECTORS) == {"zscore", "mad", "iqr", "threshold", *PYOD_TYPES}


def test_zscore_scores_a_point_against_the_window_before_it():
    values = [*HISTORY, 16]
    result = detect({"type": "zscore", "window": 20, "threshold": 0.99}, values)
    z = (16 - statistics.fmean(HISTORY)) / statistics.pstdev(HISTORY)
    assert result.anomaly_scores[:20] == [None] * 20
    assert result.anomaly_scores[20] == pytest.approx(expected_normal_score(z))
    assert result.triggered_points == [20]  # z is about 3.6


def test_zscore_below_threshold_does_not_trigger():
    result = detect({"type": "zscore", "window": 20, "threshold": 0.9}, [*HISTORY, 12.5])
    z = (12.5 - statistics.fmean(HISTORY)) / statistics.pstdev(HISTORY)
    assert result.anomaly_scores[20] == pytest.approx(expected_normal_score(z))
    assert result.triggered_points == []


def test_mad_uses_median_and_median_absolute_deviation():
    values = [*HISTORY, 7]
    result = detect({"type": "mad", "window": 20}, values)
    median = statistics.median(HISTORY)
    mad = statistics.median(abs(value - median) for value in HISTORY)
    robust = 0.6745 * (7 - median) / mad
    assert result.anomaly_scores[20] == pytest.approx(expected_normal_score(robust))
    assert result.triggered_points == [20]


def test_iqr_fences_and_score():
    values = [*HISTORY, 17]
    result = detect({"type": "iqr", "window": 20, "multiplier": 1.5}, values)
    q1, _, q3 = statistics.quantiles(HISTORY, n=4, method="inclusive")
    iqr = q3 - q1
    distance = 17 - (q3 + 1.5 * iqr)
    assert distance > 0
    assert result.anomaly_scores[20] == pytest.approx(0.5 + 0.5 * distance / (distance + iqr))
    assert result.triggered_points == [20]
    inside = detect({"type": "iqr", "window": 20}, [*HISTORY, 13])
    assert (inside.anomaly_scores[20], inside.triggered_points) == (0.0, [])


def test_threshold_detector_flags_points_outside_bounds_with_dates():
    result = detect({"type": "threshold", "lower_bound": 2, "upper_bound": 5}, [1, 2, 5, 6], ["d0", "d1", "d2", "d3"])
    assert result.anomaly_scores == [1.0, 0.0, 0.0, 1.0]
    assert result.triggered_points == [0, 3]
    assert result.triggered_dates == ["d0", "d3"]


def test_constant_window_makes_any_change_certain_and_no_change_harmless():
    flat = [5.0] * 10
    assert detect({"type": "zscore", "window": 10}, [*flat, 5.0]).triggered_points == []
    changed = detect({"type": "zscore", "window": 10}, [*flat, 6.0])
    assert (changed.anomaly_scores[10], changed.triggered_points) == (1.0, [10])


def test_differencing_scores_changes_and_keeps_positions():
    # A steady ramp has constant differences: nothing is anomalous until the ramp jumps.
    ramp = [float(2 * i) for i in range(12)] + [60.0]
    result = detect({"type": "zscore", "window": 5, "preprocessing": {"diffs_n": 1}}, ramp)
    assert result.anomaly_scores[:6] == [None] * 6  # one point lost to differencing, five to the window
    assert result.triggered_points == [12]


def test_smoothing_is_a_trailing_mean():
    values = [0, 0, 0, 0, 0, 0, 9, 0]
    result = detect({"type": "threshold", "upper_bound": 2.5, "preprocessing": {"smooth_n": 3}}, values)
    # means of [i-2..i]: positions 2..7 -> 0,0,0,0,3,3
    assert result.anomaly_scores == [None, None, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    assert result.triggered_points == [6, 7]


def test_ensemble_and_or():
    values = [*HISTORY, 16]
    both = {"type": "ensemble", "operator": "and", "detectors": [
        {"type": "zscore", "window": 20}, {"type": "threshold", "upper_bound": 20}]}  # fmt: skip
    either = {**both, "operator": "or"}
    assert detect(both, values).triggered_points == []
    result = detect(either, values)
    assert result.triggered_points == [20]
    assert set(result.sub_detector_scores) == {"zscore_0", "threshold_1"}
    assert result.anomaly_scores[20] == pytest.approx(result.sub_detector_scores["zscore_0"][20])


@pytest.mark.parametrize("detector_type", PYOD_TYPES)
def test_pyod_detector_flags_a_planted_spike(detector_type):
    rng = np.random.default_rng(7)
    values = [*rng.normal(100, 5, 40), 200.0]
    result = detect({"type": detector_type}, values)
    assert result.latest_triggered
    assert 0.9 < result.latest_score <= 1.0
    assert all(score is None or 0.0 <= score <= 1.0 for score in result.anomaly_scores)


@pytest.mark.parametrize("detector_type", PYOD_TYPES)
def test_pyod_detector_leaves_a_flat_series_alone(detector_type):
    result = detect({"type": detector_type}, [50.0] * 41)
    assert result.triggered_points == []
    assert result.latest_score == 0.0


def test_pyod_with_lag_features_and_too_little_data():
    rng = np.random.default_rng(3)
    values = [*rng.normal(10, 1, 30), 40.0]
    assert detect({"type": "knn", "preprocessing": {"lags_n": 2}}, values).latest_triggered
    short = detect({"type": "lof"}, [1.0] * 5)
    assert (short.anomaly_scores, short.triggered_points) == ([None] * 5, [])


def test_required_samples():
    assert required_samples(parse_detector_config({"type": "zscore"})) == 32
    assert required_samples(parse_detector_config({"type": "threshold"})) == 32
    lagged = parse_detector_config({"type": "knn", "window": 10, "preprocessing": {"lags_n": 3, "diffs_n": 1}})
    assert required_samples(lagged) == 16


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("zscore", INVALID_DETECTOR_CONFIG),
        ({"type": "nope"}, INVALID_DETECTOR_CONFIG),
        ({"type": "zscore", "unknown": 1}, INVALID_DETECTOR_CONFIG),
        ({"type": "zscore", "threshold": 1.5}, range_message("threshold")),
        ({"type": "mad", "window": 4}, range_message("window")),
        ({"type": "isolation_forest", "n_estimators": 5}, range_message("n_estimators")),
        ({"type": "knn", "n_neighbors": 51}, range_message("n_neighbors")),
        ({"type": "hbos", "n_bins": 60}, range_message("n_bins")),
        ({"type": "iqr", "multiplier": 0.1}, range_message("multiplier")),
        ({"type": "ecod", "training_offset_n": 0}, range_message("training_offset_n")),
        ({"type": "zscore", "preprocessing": {"smooth_n": 31}}, SMOOTHING_RANGE),
        ({"type": "zscore", "preprocessing": {"lags_n": 11}}, LAGS_RANGE),
        ({"type": "ensemble", "operator": "and", "detectors": [{"type": "zscore"}]}, ENSEMBLE_NEEDS_TWO),
        (
            {"type": "ensemble", "detectors": [{"type": "zscore"}, {"type": "mad", "window": 2}]},
            range_message("window"),
        ),
    ],
)
def test_invalid_configs_have_exact_messages(raw, message):
    with pytest.raises(DetectorConfigError) as error:
        parse_detector_config(raw)
    assert error.value.detail == message


def test_range_messages_read_like_posthogs():
    assert range_message("threshold") == "Sensitivity threshold must be between 0.0 and 1.0."
    assert range_message("window") == "Window size must be between 5 and 1000."
    assert range_message("multiplier") == "IQR multiplier must be between 0.5 and 10.0."
