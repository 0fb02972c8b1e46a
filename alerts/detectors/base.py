"""What every detector shares: the result shape, preprocessing, and mapping scores back onto the input points."""

import math
from dataclasses import dataclass, field

import numpy as np

from alerts.detectors.config import Preprocessing


@dataclass
class DetectionResult:
    """Scores in [0, 1] aligned with the input (None where a point could not be scored) and the anomalous points."""

    anomaly_scores: list[float | None]
    triggered_points: list[int]
    triggered_dates: list[str] = field(default_factory=list)
    sub_detector_scores: dict[str, list[float | None]] | None = None

    @property
    def latest_triggered(self) -> bool:
        return bool(self.anomaly_scores) and (len(self.anomaly_scores) - 1) in self.triggered_points

    @property
    def latest_score(self) -> float | None:
        return self.anomaly_scores[-1] if self.anomaly_scores else None


def preprocess(values: np.ndarray, steps: Preprocessing) -> tuple[np.ndarray, int]:
    """(processed series, offset): processed[j] stands for values[offset + j].

    1. `diffs_n` passes of first differences (each drops the first point).
    2. A trailing mean over `smooth_n` points (the first `smooth_n - 1` have no full window and are dropped).
    """
    series = values.astype(float)
    offset = 0
    for _ in range(steps.diffs_n):
        series = np.diff(series)
        offset += 1
    if steps.smooth_n > 1 and len(series) >= steps.smooth_n:
        kernel = np.ones(steps.smooth_n) / steps.smooth_n
        series = np.convolve(series, kernel, mode="valid")
        offset += steps.smooth_n - 1
    elif steps.smooth_n > 1:
        return np.array([]), len(values)
    return series, offset


def lag_matrix(series: np.ndarray, lags: int) -> tuple[np.ndarray, int]:
    """Rows `[x_t, x_(t-1), ..., x_(t-lags)]` for every t with a full history, and the offset of the first row."""
    if len(series) <= lags:
        return np.empty((0, lags + 1)), lags
    columns = [series[lags - lag : len(series) - lag] for lag in range(lags + 1)]
    return np.column_stack(columns), lags


def aligned(length: int, offset: int, scores: np.ndarray) -> list[float | None]:
    """Scores of a shortened series placed at their input positions; NaN and missing points are None."""
    out: list[float | None] = [None] * length
    for position, score in enumerate(scores):
        index = offset + position
        if 0 <= index < length and not math.isnan(score):
            out[index] = float(min(1.0, max(0.0, score)))
    return out


def two_sided_probability(z: np.ndarray) -> np.ndarray:
    """erf(|z| / sqrt 2): how unusual a standard score is, 0 at the centre, towards 1 in the tails."""
    from scipy.special import erf

    return erf(np.abs(z) / math.sqrt(2))
