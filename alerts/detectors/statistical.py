"""Rolling statistical detectors: z-score, median absolute deviation, interquartile range, and fixed bounds.

Each point is judged against the `window` points before it (never against itself), so scores start at index
`window` of the preprocessed series.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from alerts.detectors.base import two_sided_probability
from alerts.detectors.config import IQRConfig, MADConfig, ThresholdConfig, ZScoreConfig

# The MAD of a normal distribution is 0.6745 standard deviations.
MAD_TO_STD = 0.6745


def _windows(series: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(training windows, the point after each): row k is series[k : k + window], judged point series[k + window]."""
    if len(series) <= window:
        return np.empty((0, window)), np.empty(0)
    return sliding_window_view(series[:-1], window), series[window:]


def _spread_score(deviation: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Scores of standardised deviations; a zero spread makes any deviation certain and none harmless."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(spread > 0, deviation / np.where(spread > 0, spread, 1), np.where(deviation != 0, np.inf, 0.0))
    return two_sided_probability(z)


class ZScoreDetector:
    type = "zscore"
    min_samples = 31

    def score(self, series: np.ndarray, config: ZScoreConfig) -> tuple[np.ndarray, np.ndarray, int]:
        """Standard score against the window's mean and (population) standard deviation, as erf(|z|/sqrt 2)."""
        windows, points = _windows(series, config.window)
        scores = _spread_score(points - windows.mean(axis=1), windows.std(axis=1)) if len(points) else points
        return scores, scores > config.threshold, config.window


class MADDetector:
    type = "mad"
    min_samples = 31

    def score(self, series: np.ndarray, config: MADConfig) -> tuple[np.ndarray, np.ndarray, int]:
        """Robust score 0.6745 (x - median) / MAD against the window, as erf(|score|/sqrt 2)."""
        windows, points = _windows(series, config.window)
        if not len(points):
            return points, points > 0, config.window
        median = np.median(windows, axis=1)
        mad = np.median(np.abs(windows - median[:, None]), axis=1)
        scores = _spread_score(MAD_TO_STD * (points - median), mad)
        return scores, scores > config.threshold, config.window


class IQRDetector:
    type = "iqr"
    min_samples = 31

    def score(self, series: np.ndarray, config: IQRConfig) -> tuple[np.ndarray, np.ndarray, int]:
        """Anomalous outside [Q1 - k IQR, Q3 + k IQR] of the window; score 0 inside, 0.5 + 0.5 d / (d + IQR)
        outside, d being the distance past the fence (1 when the IQR is 0)."""
        windows, points = _windows(series, config.window)
        if not len(points):
            return points, points > 0, config.window
        q1, q3 = np.percentile(windows, 25, axis=1), np.percentile(windows, 75, axis=1)
        iqr = q3 - q1
        low, high = q1 - config.multiplier * iqr, q3 + config.multiplier * iqr
        distance = np.maximum(low - points, points - high)
        outside = distance > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(outside, 0.5 + 0.5 * distance / (distance + iqr), 0.0)
        return scores, outside, config.window


class ThresholdDetector:
    type = "threshold"
    min_samples = 1

    def score(self, series: np.ndarray, config: ThresholdConfig) -> tuple[np.ndarray, np.ndarray, int]:
        """1 outside the bounds (strictly below lower, strictly above upper), else 0."""
        below = series < config.lower_bound if config.lower_bound is not None else np.zeros(len(series), bool)
        above = series > config.upper_bound if config.upper_bound is not None else np.zeros(len(series), bool)
        outside = below | above
        return outside.astype(float), outside, 0
