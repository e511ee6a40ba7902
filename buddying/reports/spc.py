"""Statistical process control the way NHS England's "Making Data Count" (MDC) teaches: the XmR
chart, its special-cause rules, and the variation and assurance icons.

One function, ``xmr``, used by the HTML page and the PDF alike. It follows the NHS-R community's
implementation of MDC, NHSRplotthedots (nhs-r-community/NHSRplotthedots), rule for rule:

- centre line: the mean of the values;
- moving ranges: |x[i] − x[i−1]|; with ``screen_outliers`` (NHSRplotthedots' default) a moving
  range of 3.267 × the mean moving range or more is left out and the mean recomputed
  (R/ptd_spc_standard.R);
- process limits: mean ± 2.66 × mean moving range; "close to the limits" (beyond two sigma):
  mean ± (2/3 × 2.66) × mean moving range (R/ptd_spc_standard.R: ``limit <- 2.66``,
  ``limitclose <- 2 * (limit / 3)``).

Special causes (R/ptd_calculate_point_type.R), every point of the pattern flagged:

- a point outside the process limits;
- a shift: 7 or more consecutive points on the same side of the mean
  (``ptd_seven_point_one_side_mean``; a point exactly on the mean breaks the run) — MDC's "run
  of 7";
- a trend: 7 or more consecutive points each higher (or each lower) than the one before
  (``ptd_seven_point_trend``: six successive differences of one sign; an equal pair breaks it).
  The brief we were given said 6; NHSRplotthedots and MDC's own tool count 7, and we follow them;
- two out of three consecutive points close to a limit (beyond two sigma, not outside the
  limits), all three on the same side of the mean (``ptd_two_in_three``); only the points close
  to the limit are flagged.

Icons: the variation icon describes the latest point (common cause; special cause improving or
concerning, high or low; or, with no improvement direction, special cause neither); the assurance
icon compares the target with the process limits (R/ptd_calculate_assurance_type.R): a target
outside the limits on the good side is always met ("consistently passes"), on the bad side never
met ("consistently fails"), and between them met only sometimes ("hit and miss").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

LIMIT = 2.66  # 3 sigma, as a multiple of the mean moving range (3 / 1.128)
NEAR_LIMIT = 2 * LIMIT / 3  # 2 sigma
MR_SCREEN = 3.267  # upper limit of the moving range chart
SHIFT_RUN = 7  # MDC / NHSRplotthedots: a run of 7 points on one side of the mean
TREND_RUN = 7  # MDC / NHSRplotthedots: 7 points each rising (or each falling)
MINIMUM_POINTS = 12  # fewer, and NHSRplotthedots warns that limits are unreliable (MDC asks 15–20)

INCREASE, DECREASE, NEUTRAL = "increase", "decrease", "neutral"

COMMON_CAUSE = "common_cause"
IMPROVEMENT_HIGH = "improvement_high"
IMPROVEMENT_LOW = "improvement_low"
CONCERN_HIGH = "concern_high"
CONCERN_LOW = "concern_low"
NEITHER_HIGH = "neither_high"
NEITHER_LOW = "neither_low"
VARIATION_LABELS = {
    COMMON_CAUSE: "Common cause variation",
    IMPROVEMENT_HIGH: "Special cause variation: improving (higher)",
    IMPROVEMENT_LOW: "Special cause variation: improving (lower)",
    CONCERN_HIGH: "Special cause variation: concerning (higher)",
    CONCERN_LOW: "Special cause variation: concerning (lower)",
    NEITHER_HIGH: "Special cause variation: neither improving nor concerning (higher)",
    NEITHER_LOW: "Special cause variation: neither improving nor concerning (lower)",
}

CONSISTENT_PASS = "consistent_pass"  # noqa: S105 - an icon name, not a password
CONSISTENT_FAIL = "consistent_fail"
HIT_AND_MISS = "hit_and_miss"
ASSURANCE_LABELS = {
    CONSISTENT_PASS: "Consistently passes the target",
    CONSISTENT_FAIL: "Consistently fails the target",
    HIT_AND_MISS: "Hit and miss: the target lies within the process limits",
}


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    moving_range: float | None
    outside_limits: bool
    shift: bool
    trend: bool
    two_of_three: bool
    kind: str  # one of the variation keys: common cause, improvement/concern/neither high/low

    @property
    def special_cause(self) -> bool:
        return self.kind != COMMON_CAUSE

    @property
    def rules(self) -> str:
        """The special-cause rules this point is part of, in words (for the table)."""
        names = [
            name
            for flag, name in (
                (self.outside_limits, "outside the limits"),
                (self.shift, "shift"),
                (self.trend, "trend"),
                (self.two_of_three, "two of three close to a limit"),
            )
            if flag
        ]
        return ", ".join(names)


@dataclass(frozen=True)
class Result:
    points: tuple[Point, ...]
    mean: float | None
    mean_moving_range: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_near: float | None
    lower_near: float | None
    improvement: str
    target: float | None
    variation: str | None
    assurance: str | None

    @property
    def variation_label(self) -> str:
        return VARIATION_LABELS.get(self.variation, "Not enough data")

    @property
    def assurance_label(self) -> str:
        if self.assurance is None:
            return "No target" if self.target is None else "Not enough data"
        return ASSURANCE_LABELS[self.assurance]

    @property
    def enough_points(self) -> bool:
        return len(self.points) >= MINIMUM_POINTS


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _runs(signs: Sequence[int], length: int) -> list[bool]:
    """Flag every member of a run of at least ``length`` equal, non-zero signs."""
    flags = [False] * len(signs)
    start = 0
    for index in range(1, len(signs) + 1):
        if index == len(signs) or signs[index] != signs[start] or signs[index] == 0:
            if signs[start] != 0 and index - start >= length:
                for member in range(start, index):
                    flags[member] = True
            start = index
    return flags


def _trends(values: Sequence[float], length: int) -> list[bool]:
    """Flag every point of a run of ``length`` or more points each above (or each below) the
    one before: ``length - 1`` successive differences of the same sign."""
    flags = [False] * len(values)
    if len(values) < 2:
        return flags
    steps = [_sign(values[i] - values[i - 1]) for i in range(1, len(values))]
    step_flags = _runs(steps, length - 1)
    for index, flagged in enumerate(step_flags):
        if flagged:  # the step from index to index + 1
            flags[index] = flags[index + 1] = True
    return flags


def _two_of_three(close: Sequence[bool], sides: Sequence[int]) -> list[bool]:
    flags = [False] * len(close)
    for start in range(len(close) - 2):
        window = range(start, start + 3)
        if sum(close[i] for i in window) >= 2 and abs(sum(sides[i] for i in window)) == 3:
            for i in window:
                if close[i]:
                    flags[i] = True
    return flags


def _number(value) -> float | None:
    if value is None:
        return None
    return float(value) if not isinstance(value, float) else value


def xmr(
    values: Sequence[float | Decimal],
    labels: Sequence[str] | None = None,
    *,
    improvement: str = INCREASE,
    target: float | Decimal | None = None,
    screen_outliers: bool = True,
) -> Result:
    """The XmR chart of ``values`` (in time order): limits, each point's special causes, and the
    variation and assurance icons. See the module's docstring for the rules and their source."""
    ys = [float(v) for v in values]
    labels = list(labels) if labels is not None else [str(i + 1) for i in range(len(ys))]
    target = _number(target)
    if len(ys) < 2:
        points = tuple(
            Point(lab, y, None, False, False, False, False, COMMON_CAUSE)
            for lab, y in zip(labels, ys, strict=True)
        )
        return Result(
            points,
            ys[0] if ys else None,
            None,
            None,
            None,
            None,
            None,
            improvement,
            target,
            None,
            None,
        )

    mean = sum(ys) / len(ys)
    ranges = [abs(ys[i] - ys[i - 1]) for i in range(1, len(ys))]
    mean_range = sum(ranges) / len(ranges)
    if screen_outliers:
        kept = [r for r in ranges if r < MR_SCREEN * mean_range]
        mean_range = sum(kept) / len(kept) if kept else mean_range
    upper, lower = mean + LIMIT * mean_range, mean - LIMIT * mean_range
    upper_near, lower_near = mean + NEAR_LIMIT * mean_range, mean - NEAR_LIMIT * mean_range

    outside = [y > upper or y < lower for y in ys]
    sides = [_sign(y - mean) for y in ys]
    close = [
        not out and (y > upper_near or y < lower_near) for y, out in zip(ys, outside, strict=True)
    ]
    shift = _runs(sides, SHIFT_RUN)
    trend = _trends(ys, TREND_RUN)
    two_of_three = _two_of_three(close, sides)

    points = []
    for i, y in enumerate(ys):
        special = outside[i] or shift[i] or trend[i] or two_of_three[i]
        high = sides[i] > 0 if sides[i] != 0 else (i > 0 and y > ys[i - 1])
        points.append(
            Point(
                label=labels[i],
                value=y,
                moving_range=ranges[i - 1] if i else None,
                outside_limits=outside[i],
                shift=shift[i],
                trend=trend[i],
                two_of_three=two_of_three[i],
                kind=_kind(special, high, improvement),
            )
        )
    return Result(
        points=tuple(points),
        mean=mean,
        mean_moving_range=mean_range,
        upper_limit=upper,
        lower_limit=lower,
        upper_near=upper_near,
        lower_near=lower_near,
        improvement=improvement,
        target=target,
        variation=points[-1].kind,
        assurance=_assurance(target, upper, lower, improvement),
    )


def _kind(special: bool, high: bool, improvement: str) -> str:
    if not special:
        return COMMON_CAUSE
    if improvement == NEUTRAL:
        return NEITHER_HIGH if high else NEITHER_LOW
    if high == (improvement == INCREASE):
        return IMPROVEMENT_HIGH if high else IMPROVEMENT_LOW
    return CONCERN_HIGH if high else CONCERN_LOW


def _assurance(target: float | None, upper: float, lower: float, improvement: str) -> str | None:
    if target is None or improvement == NEUTRAL:
        return None
    if target > upper:
        return CONSISTENT_FAIL if improvement == INCREASE else CONSISTENT_PASS
    if target < lower:
        return CONSISTENT_PASS if improvement == INCREASE else CONSISTENT_FAIL
    return HIT_AND_MISS
