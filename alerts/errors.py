"""Errors of the alert logic: a check that cannot be evaluated, a detector that cannot be configured."""

from insights_server.errors import DomainError


class AlertCheckError(DomainError):
    """The insight cannot be evaluated for this alert (unsupported kind, bad config, missing column)."""


class DetectorConfigError(DomainError):
    """A detector configuration that does not validate; `detail` is the user-facing message."""
