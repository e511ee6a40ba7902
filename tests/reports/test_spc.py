"""The SPC (XmR) function against worked examples, one per Making Data Count rule.

Worked example (figures by hand): values 10, 12, 11, 13, 12, 11, 12, 13, 11, 12.
Mean = 117 / 10 = 11.7. Moving ranges 2, 1, 2, 1, 1, 1, 1, 2, 1: mean 12 / 9 = 1.3333.
None is 3.267 × 1.3333 = 4.356 or more, so screening keeps them all.
Upper limit = 11.7 + 2.66 × 1.3333 = 15.2467; lower = 11.7 − 3.5467 = 8.1533.
Near limits (two sigma) = 11.7 ± 1.7733 × 1.3333 = 14.0644 and 9.3356.
"""

import pytest

from buddying.reports import spc

BASE = [10, 12, 11, 13, 12, 11, 12, 13, 11, 12]


def test_limits_of_the_worked_example():
    result = spc.xmr(BASE)
    assert result.mean == pytest.approx(11.7)
    assert result.mean_moving_range == pytest.approx(4 / 3)
    assert result.upper_limit == pytest.approx(15.246667, abs=1e-5)
    assert result.lower_limit == pytest.approx(8.153333, abs=1e-5)
    assert result.upper_near == pytest.approx(14.064444, abs=1e-5)
    assert [p.moving_range for p in result.points] == [None, 2, 1, 2, 1, 1, 1, 1, 2, 1]
    assert not any(p.special_cause for p in result.points)
    assert result.variation == spc.COMMON_CAUSE


def test_a_point_outside_the_limits_is_special_cause():
    # 10 values: 9 at 10/11 alternating and one at 20. Moving ranges: 1×7 then 9, 9 (the last
    # two screened out? mean MR = (7 + 18) / 9 = 2.78; 3.267 × 2.78 = 9.07 > 9, so kept).
    values = [10, 11, 10, 11, 10, 11, 10, 11, 20, 11]
    result = spc.xmr(values)
    assert result.mean == pytest.approx(11.5)
    assert result.mean_moving_range == pytest.approx(25 / 9)
    assert result.upper_limit == pytest.approx(11.5 + 2.66 * 25 / 9)  # 18.889
    flagged = [p.label for p in result.points if p.outside_limits]
    assert flagged == ["9"]
    assert result.points[8].kind == spc.IMPROVEMENT_HIGH


def test_screening_leaves_out_a_huge_moving_range():
    values = [10, 10, 10, 10, 10, 10, 10, 10, 11, 10, 10, 100]
    result = spc.xmr(values)
    # Moving ranges: 0×7, 1, 1, 0, 90: mean 92/11 = 8.36; 90 ≥ 3.267 × 8.36 = 27.3 is left out.
    assert result.mean_moving_range == pytest.approx(2 / 10)
    assert spc.xmr(values, screen_outliers=False).mean_moving_range == pytest.approx(92 / 11)


def test_a_shift_is_seven_points_on_one_side_of_the_mean():
    values = [5, 6, 5, 6, 5, 6, 9, 9.5, 9, 9.5, 9, 9.5, 9]
    result = spc.xmr(values)
    # The last 7 points are above the mean (7.54): a shift; the first 6 below are not (6 < 7).
    assert [p.shift for p in result.points] == [False] * 6 + [True] * 7
    six_only = spc.xmr([5, 6, 5, 6, 5, 6, 5, 9, 9.5, 9, 9.5, 9, 9.5])
    assert six_only.points[-1].shift is False


def test_a_trend_is_seven_points_each_rising():
    values = [10, 10, 11, 10, 11, 12, 13, 14, 15, 16, 11, 10]
    result = spc.xmr(values, improvement=spc.DECREASE)
    # From 10 (index 3) to 16 (index 9): 7 points, six rises.
    assert [i for i, p in enumerate(result.points) if p.trend] == [3, 4, 5, 6, 7, 8, 9]
    assert result.points[9].kind == spc.CONCERN_HIGH
    six = spc.xmr([10, 10, 11, 10, 11, 12, 13, 14, 15, 11, 10, 11])
    assert not any(p.trend for p in six.points)
    flat = spc.xmr([1, 2, 3, 4, 4, 5, 6, 7, 8, 1])  # an equal pair breaks the run
    assert not any(p.trend for p in flat.points[:5])


def test_two_of_three_close_to_a_limit_on_the_same_side():
    values = [10, 11] * 6 + [13, 11.6, 13]
    result = spc.xmr(values)
    # Mean 163.6 / 15 = 10.9067; moving ranges: eleven 1s, 2, 1.4, 1.4 = 15.8 / 14 = 1.1286;
    # near upper 10.9067 + 1.7733 × 1.1286 = 12.908; upper 13.909: each 13 is close, not outside,
    # and 11.6 between them is above the mean too.
    assert result.mean == pytest.approx(163.6 / 15)
    assert result.mean_moving_range == pytest.approx(15.8 / 14)
    assert result.upper_near == pytest.approx(12.908, abs=1e-3)
    assert [i for i, p in enumerate(result.points) if p.two_of_three] == [12, 14]
    other_side = spc.xmr([10, 11] * 6 + [13, 10, 13])  # the middle point is below the mean
    assert not any(p.two_of_three for p in other_side.points)


def test_icons_follow_the_latest_point_and_the_target():
    result = spc.xmr(BASE, improvement=spc.INCREASE, target=5)
    assert result.assurance == spc.CONSISTENT_PASS
    assert spc.xmr(BASE, target=20).assurance == spc.CONSISTENT_FAIL
    assert spc.xmr(BASE, target=12).assurance == spc.HIT_AND_MISS
    assert spc.xmr(BASE, improvement=spc.DECREASE, target=5).assurance == spc.CONSISTENT_FAIL
    assert spc.xmr(BASE).assurance is None
    low = spc.xmr([10, 11, 10, 11, 10, 11, 10, 11, 10, 1], improvement=spc.NEUTRAL)
    assert low.variation == spc.NEITHER_LOW
    assert low.variation_label.startswith("Special cause variation: neither")
