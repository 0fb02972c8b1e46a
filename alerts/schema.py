"""Alert value types (spec sharing-alerts-auth-activity §2.1): states, intervals, conditions, thresholds, configs."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class AlertState(StrEnum):
    FIRING = "Firing"
    NOT_FIRING = "Not firing"
    ERRORED = "Errored"
    SNOOZED = "Snoozed"


class CalculationInterval(StrEnum):
    EVERY_15_MINUTES = "every_15_minutes"
    REAL_TIME = "real_time"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ConditionType(StrEnum):
    ABSOLUTE_VALUE = "absolute_value"
    RELATIVE_INCREASE = "relative_increase"
    RELATIVE_DECREASE = "relative_decrease"


class ThresholdType(StrEnum):
    ABSOLUTE = "absolute"
    PERCENTAGE = "percentage"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlertCondition(_Strict):
    type: ConditionType


class ThresholdBounds(_Strict):
    lower: float | None = None
    upper: float | None = None


class InsightThreshold(_Strict):
    """Bounds of a threshold; percentage bounds are fractions (0.2 = 20 %)."""

    type: ThresholdType
    bounds: ThresholdBounds | None = None


class TrendsAlertConfig(_Strict):
    type: Literal["TrendsAlertConfig"]
    series_index: int
    check_ongoing_interval: bool | None = None


class FunnelsAlertConfig(_Strict):
    """A funnel's conversion rate (percent, 0-100, first step to `step_index`) or a step's count.

    `step_index` defaults to the last step. Beyond PostHog's baseline (which only alerts on trends).
    """

    type: Literal["FunnelsAlertConfig"]
    metric: Literal["conversion_rate", "step_count"] = "conversion_rate"
    step_index: int | None = None


class HogQLAlertConfig(_Strict):
    """A SQL insight's numeric column: the value in the last row, or every row labelled by `label_column`."""

    type: Literal["HogQLAlertConfig"]
    value_column: str
    label_column: str | None = None


AlertConfig = Annotated[TrendsAlertConfig | FunnelsAlertConfig | HogQLAlertConfig, Field(discriminator="type")]


class AlertConfigModel(BaseModel):
    config: AlertConfig
