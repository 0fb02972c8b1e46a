"""Detector configurations (spec sharing-alerts-auth-activity §2.9): pydantic shapes and the range rules of §2.5.

`parse_detector_config(raw)` is the one entry point: a validated config, or DetectorConfigError with the exact
user-facing message.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alerts.errors import DetectorConfigError

INVALID_DETECTOR_CONFIG = "Invalid detector configuration."
ENSEMBLE_NEEDS_TWO = "Ensemble detector requires at least 2 sub-detectors."
SMOOTHING_RANGE = "Smoothing window must be between 0 and 30."
LAGS_RANGE = "Lag features must be between 0 and 10."
DIFFS_RANGE = "Differencing order must be between 0 and 2."

# field -> (label, min, max), inclusive; the message is "<Label> must be between <min> and <max>."
PARAMETER_RANGES: dict[str, tuple[str, float, float]] = {
    "threshold": ("Sensitivity threshold", 0.0, 1.0),
    "window": ("Window size", 5, 1000),
    "n_estimators": ("Number of trees", 10, 500),
    "n_neighbors": ("Number of neighbors", 1, 50),
    "n_bins": ("Number of bins", 5, 50),
    "multiplier": ("IQR multiplier", 0.5, 10.0),
    "training_offset_n": ("Training offset", 1, 500),
}
PREPROCESSING_RANGES = {
    "smooth_n": (0, 30, SMOOTHING_RANGE),
    "lags_n": (0, 10, LAGS_RANGE),
    "diffs_n": (0, 2, DIFFS_RANGE),
}


def range_message(field: str) -> str:
    label, low, high = PARAMETER_RANGES[field]
    return f"{label} must be between {low} and {high}."


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Preprocessing(_Config):
    """Applied in this order: `diffs_n` differencing passes, a trailing mean over `smooth_n` points, `lags_n`
    lagged copies of the value as extra features (PyOD detectors only)."""

    diffs_n: int = 0
    smooth_n: int = 0
    lags_n: int = 0


class _Base(_Config):
    preprocessing: Preprocessing | None = None

    @property
    def steps(self) -> Preprocessing:
        return self.preprocessing or Preprocessing()


class ZScoreConfig(_Base):
    type: Literal["zscore"]
    threshold: float = 0.9
    window: int = 30


class MADConfig(_Base):
    type: Literal["mad"]
    threshold: float = 0.9
    window: int = 30


class IQRConfig(_Base):
    type: Literal["iqr"]
    multiplier: float = 1.5
    window: int = 30


class ThresholdConfig(_Base):
    type: Literal["threshold"]
    lower_bound: float | None = None
    upper_bound: float | None = None


class _PyODBase(_Base):
    threshold: float = 0.9
    # How much history the model learns from (the check fetches this many points).
    window: int = 30
    # The most recent points left out of training (scored, not learnt from).
    training_offset_n: int | None = None


class ECODConfig(_PyODBase):
    type: Literal["ecod"]


class COPODConfig(_PyODBase):
    type: Literal["copod"]


class PCAConfig(_PyODBase):
    type: Literal["pca"]


class IsolationForestConfig(_PyODBase):
    type: Literal["isolation_forest"]
    n_estimators: int = 100


class KNNConfig(_PyODBase):
    type: Literal["knn"]
    n_neighbors: int = 5
    method: Literal["largest", "mean", "median"] = "largest"


class HBOSConfig(_PyODBase):
    type: Literal["hbos"]
    n_bins: int = 10


class LOFConfig(_PyODBase):
    type: Literal["lof"]
    n_neighbors: int = 20


class OCSVMConfig(_PyODBase):
    type: Literal["ocsvm"]
    kernel: Literal["rbf", "linear", "poly", "sigmoid"] = "rbf"
    nu: float = Field(0.1, gt=0, le=1)


SingleDetectorConfig = Annotated[
    ZScoreConfig
    | MADConfig
    | IQRConfig
    | ThresholdConfig
    | ECODConfig
    | COPODConfig
    | PCAConfig
    | IsolationForestConfig
    | KNNConfig
    | HBOSConfig
    | LOFConfig
    | OCSVMConfig,
    Field(discriminator="type"),
]


class EnsembleConfig(_Config):
    type: Literal["ensemble"]
    operator: Literal["and", "or"] = "and"
    detectors: list[SingleDetectorConfig]


DetectorConfig = Annotated[SingleDetectorConfig | EnsembleConfig, Field(discriminator="type")]


class _Envelope(BaseModel):
    config: DetectorConfig


def _check_ranges(raw: dict) -> None:
    for field, (_label, low, high) in PARAMETER_RANGES.items():
        value = raw.get(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not low <= value <= high:
            raise DetectorConfigError(range_message(field))
    preprocessing = raw.get("preprocessing")
    if isinstance(preprocessing, dict):
        for field, (low, high, message) in PREPROCESSING_RANGES.items():
            value = preprocessing.get(field)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not low <= value <= high:
                raise DetectorConfigError(message)


def parse_detector_config(raw) -> ZScoreConfig | EnsembleConfig | _Base:
    """A validated detector config from JSON.

    Raises DetectorConfigError: `Invalid detector configuration.` for a wrong shape or unknown type, the range
    message of the first parameter out of range, and `Ensemble detector requires at least 2 sub-detectors.`
    """
    if not isinstance(raw, dict):
        raise DetectorConfigError(INVALID_DETECTOR_CONFIG)
    if raw.get("type") == "ensemble":
        detectors = raw.get("detectors")
        if not isinstance(detectors, list):
            raise DetectorConfigError(INVALID_DETECTOR_CONFIG)
        if len(detectors) < 2:
            raise DetectorConfigError(ENSEMBLE_NEEDS_TWO)
        for detector in detectors:
            if isinstance(detector, dict):
                _check_ranges(detector)
    else:
        _check_ranges(raw)
    try:
        return _Envelope.model_validate({"config": raw}).config
    except ValidationError:
        raise DetectorConfigError(INVALID_DETECTOR_CONFIG) from None
