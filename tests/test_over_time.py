import numpy as np
import pandas as pd
import pytest

from noomarketing.over_time import STATUSES, TREND_COLUMNS, share_trends
from noomarketing.schema import NoomarketingError

MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04"]


def test_a_small_segment_that_wobbles_is_not_called_a_trend():
    # segment 2 goes 3 -> 5 -> 2 -> 6 rows among ~1000: its share doubles, but that is noise
    counts = pd.DataFrame({0: [600, 590, 610, 595], 1: [397, 405, 388, 399], 2: [3, 5, 2, 6]},
                          index=MONTHS)
    trends = share_trends(counts)
    assert trends.loc[2, "share_last"] > 1.5 * trends.loc[2, "share_before"]
    assert (trends["status"] == "stable").all()
    assert (trends["p_value"] > 0.05).all()


def test_a_big_shift_is_called_growing_and_fading():
    counts = pd.DataFrame({0: [600, 610, 590, 300], 1: [400, 390, 410, 700]}, index=MONTHS)
    trends = share_trends(counts)
    assert trends.loc[0, "status"] == "fading"
    assert trends.loc[1, "status"] == "growing"
    assert trends.loc[0, "change"] < -0.2 < 0.2 < trends.loc[1, "change"]
    assert (trends["p_value"] < 1e-6).all()


def test_new_gone_and_first_period():
    counts = pd.DataFrame({0: [50, 60, 55], 1: [20, 10, 0], 2: [0, 0, 7], 3: [0, 4, 5]},
                          index=MONTHS[:3])
    trends = share_trends(counts)
    assert trends.loc[1, "status"] == "gone" and trends.loc[1, "share_last"] == 0
    assert trends.loc[2, "status"] == "new" and trends.loc[2, "share_before"] == 0
    assert trends.loc[2, "first_period"] == "2024-03"
    assert trends.loc[3, "first_period"] == "2024-02"
    assert trends.loc[0, "first_period"] == "2024-01"
    assert np.isnan(trends.loc[2, "p_value"]) and np.isnan(trends.loc[1, "p_value"])


def test_shape_unassigned_left_out_and_shares_sum_to_one():
    counts = pd.DataFrame({-1: [900, 1], 5: [10, 30], 0: [30, 10]}, index=["b1", "b2"])
    trends = share_trends(counts)
    assert list(trends.columns) == TREND_COLUMNS
    assert trends.index.name == "segment" and list(trends.index) == [0, 5]
    assert trends["share_last"].sum() == pytest.approx(1.0)
    assert trends["share_before"].sum() == pytest.approx(1.0)
    assert trends.loc[5, "share_before"] == pytest.approx(0.25)
    assert set(trends["status"]) <= set(STATUSES)


def test_one_period_has_nothing_to_compare_with_so_all_is_stable():
    trends = share_trends(pd.DataFrame({0: [3], 1: [97]}, index=["only"]))
    assert list(trends["status"]) == ["stable", "stable"]
    assert trends["share_before"].eq(0).all() and trends["p_value"].isna().all()


def test_correction_keeps_many_small_wobbles_from_being_trends():
    rng = np.random.default_rng(0)
    # 40 segments of equal size, the same multinomial each month: any "trend" is a false alarm
    table = rng.multinomial(4000, [1 / 40] * 40, size=4)
    counts = pd.DataFrame(table, index=MONTHS)
    corrected = share_trends(counts)
    raw = share_trends(counts, correction="none")
    assert (corrected["p_value"] >= raw["p_value"] - 1e-12).all()
    assert (corrected["status"] != "stable").sum() <= (raw["status"] != "stable").sum()
    assert (corrected["status"] != "stable").sum() <= 2


@pytest.mark.parametrize("bad", [
    pd.DataFrame({0: []}),
    pd.DataFrame({0: [1, -1]}),
    pd.DataFrame({0: [1.5, 2]}),
    pd.DataFrame({0: [1, np.nan]}),
    pd.DataFrame({"delivery": [1, 2]}),
    pd.DataFrame({0: [1, 2]}, index=["a", "a"]),
    [[1, 2]],
])
def test_bad_counts_get_one_clear_line(bad):
    with pytest.raises(NoomarketingError):
        share_trends(bad)


def test_bad_alpha():
    with pytest.raises(NoomarketingError, match="alpha"):
        share_trends(pd.DataFrame({0: [1, 2]}), alpha=1.5)
