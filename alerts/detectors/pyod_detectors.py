"""PyOD detectors: each fits one PyOD model on the (lagged) series and scores every point.

Features are robust-scaled first (median and MAD), so kernels and distances do not depend on the metric's unit
and one spike cannot stretch the scale. Raw PyOD scores have no common scale, so they become [0, 1] with PyOD's
"unify" probability (Gaussian scaling of the training scores, Kriegel et al. 2011). Without spread (a flat
series) there is nothing to learn: a point is 0 when it equals the training points and 1 otherwise.
"""

import warnings

import numpy as np

from alerts.detectors.base import lag_matrix
from alerts.detectors.config import _PyODBase

# The MAD of a normal distribution times this is its standard deviation.
MAD_SCALE = 1.4826


def robust_scaled(features: np.ndarray) -> np.ndarray:
    """Each column centred on its median and divided by its scaled MAD (else its standard deviation, else 1)."""
    median = np.median(features, axis=0)
    scale = MAD_SCALE * np.median(np.abs(features - median), axis=0)
    std = features.std(axis=0)
    scale = np.where(scale > 0, scale, np.where(std > 0, std, 1.0))
    return (features - median) / scale


class PyODDetector:
    """Base: subclasses name the detector type and build the PyOD model from the config."""

    type: str
    min_samples = 10

    def model(self, config, samples: int):
        raise NotImplementedError

    def score(self, series: np.ndarray, config: _PyODBase) -> tuple[np.ndarray, np.ndarray, int]:
        features, offset = lag_matrix(series, config.steps.lags_n)
        if len(features):
            features = robust_scaled(features)
        if len(features) < self.min_samples:
            return np.full(len(features), np.nan), np.zeros(len(features), bool), offset
        training = features[: -config.training_offset_n] if config.training_offset_n else features
        if len(training) < self.min_samples:
            training = features
        if np.all(training == training[0]):
            scores = np.any(features != training[0], axis=1).astype(float)
            return scores, scores > config.threshold, offset
        model = self.model(config, len(training))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # Near-constant columns make some models warn about precision; the scores stay usable.
            warnings.simplefilter("ignore", RuntimeWarning)
            model.fit(training)
            trained = np.asarray(model.decision_scores_, dtype=float)
            if np.nanstd(trained) > 0:
                scores = model.predict_proba(features, method="unify")[:, 1]
            else:
                raw = np.asarray(model.decision_function(features), dtype=float)
                scores = (np.nan_to_num(raw, nan=trained[0]) > trained[0]).astype(float)
        return scores, scores > config.threshold, offset


class ECODDetector(PyODDetector):
    type = "ecod"

    def model(self, config, samples):
        from pyod.models.ecod import ECOD

        return ECOD()


class COPODDetector(PyODDetector):
    type = "copod"

    def model(self, config, samples):
        from pyod.models.copod import COPOD

        return COPOD()


class PCADetector(PyODDetector):
    type = "pca"

    def model(self, config, samples):
        from pyod.models.pca import PCA

        return PCA(standardization=True)


class IsolationForestDetector(PyODDetector):
    type = "isolation_forest"

    def model(self, config, samples):
        from pyod.models.iforest import IForest

        # A fixed seed: the same series must give the same verdict at every check.
        return IForest(n_estimators=config.n_estimators, random_state=0)


class KNNDetector(PyODDetector):
    type = "knn"

    def model(self, config, samples):
        from pyod.models.knn import KNN

        return KNN(n_neighbors=min(config.n_neighbors, samples - 1), method=config.method)


class HBOSDetector(PyODDetector):
    type = "hbos"

    def model(self, config, samples):
        from pyod.models.hbos import HBOS

        return HBOS(n_bins=config.n_bins)


class LOFDetector(PyODDetector):
    type = "lof"
    min_samples = 20

    def model(self, config, samples):
        from pyod.models.lof import LOF

        return LOF(n_neighbors=min(config.n_neighbors, samples - 1))


class OCSVMDetector(PyODDetector):
    type = "ocsvm"

    def model(self, config, samples):
        from pyod.models.ocsvm import OCSVM

        # gamma "scale" adapts the kernel width to the data, so one spike cannot hide inside the boundary.
        return OCSVM(kernel=config.kernel, nu=config.nu, gamma="scale")
