"""Anomaly detectors for alerts (spec sharing-alerts-auth-activity §2.9): a `{type: detector}` registry and
`detect(config, values, dates)`, the one way to run any of them (ensembles included)."""

from collections.abc import Sequence

import numpy as np

from alerts.detectors.base import DetectionResult, aligned, preprocess
from alerts.detectors.config import EnsembleConfig, parse_detector_config
from alerts.detectors.pyod_detectors import (
    COPODDetector,
    ECODDetector,
    HBOSDetector,
    IsolationForestDetector,
    KNNDetector,
    LOFDetector,
    OCSVMDetector,
    PCADetector,
)
from alerts.detectors.statistical import IQRDetector, MADDetector, ThresholdDetector, ZScoreDetector

DETECTORS = {
    detector.type: detector
    for detector in (
        ZScoreDetector(),
        MADDetector(),
        IQRDetector(),
        ThresholdDetector(),
        ECODDetector(),
        COPODDetector(),
        PCADetector(),
        IsolationForestDetector(),
        KNNDetector(),
        HBOSDetector(),
        LOFDetector(),
        OCSVMDetector(),
    )
}
DEFAULT_WINDOW = 30

__all__ = ["DETECTORS", "DetectionResult", "detect", "parse_detector_config", "required_samples"]


def required_samples(config) -> int:
    """How many points a check fetches: max(window + 1 + lags + diffs, the detector's minimum) + 1."""
    if isinstance(config, EnsembleConfig):
        return max(required_samples(sub) for sub in config.detectors)
    steps = config.steps
    window = getattr(config, "window", DEFAULT_WINDOW)
    return max(window + 1 + steps.lags_n + steps.diffs_n, DETECTORS[config.type].min_samples) + 1


def _detect_single(config, values: np.ndarray) -> tuple[list[float | None], list[int]]:
    series, offset = preprocess(values, config.steps)
    scores, triggered, inner = DETECTORS[config.type].score(series, config)
    placed = aligned(len(values), offset + inner, np.asarray(scores, dtype=float))
    points = [offset + inner + position for position, flag in enumerate(triggered) if flag]
    return placed, [point for point in points if placed[point] is not None]


def detect(config, values: Sequence[float], dates: Sequence[str] | None = None) -> DetectionResult:
    """Run a detector (a parsed config, or raw JSON) over `values`, oldest first.

    Ensembles combine their sub-detectors point by point: `and` needs every sub-detector to flag a point (score =
    the lowest), `or` any of them (score = the highest); `sub_detector_scores` keeps each one's scores.
    Raises DetectorConfigError for a config that does not validate.
    """
    if isinstance(config, dict):
        config = parse_detector_config(config)
    array = np.asarray([0.0 if value is None else float(value) for value in values], dtype=float)
    if isinstance(config, EnsembleConfig):
        results = [_detect_single(sub, array) for sub in config.detectors]
        combine = all if config.operator == "and" else any
        pick = min if config.operator == "and" else max
        scores: list[float | None] = []
        for index in range(len(array)):
            present: list[float] = [score for result in results if (score := result[0][index]) is not None]
            scores.append(pick(present) if len(present) == len(results) else None)
        flagged = [set(result[1]) for result in results]
        triggered = [index for index in range(len(array)) if combine(index in points for points in flagged)]
        triggered = [index for index in triggered if scores[index] is not None or config.operator == "or"]
        subs = {
            f"{sub.type}_{position}": result[0]
            for position, (sub, result) in enumerate(zip(config.detectors, results, strict=True))
        }
    else:
        scores, triggered = _detect_single(config, array)
        subs = None
    triggered_dates = [str(dates[index]) for index in triggered] if dates is not None else []
    return DetectionResult(scores, triggered, triggered_dates, subs)
