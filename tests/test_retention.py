"""Every expected number below is worked out by hand from ACTIVITY in the comments."""

import math

import pandas as pd
import pytest

import noomarketing as nm
from noomarketing.retention import rates_frame

# customer, date, value
ACTIVITY = [
    ("a", "2026-01-10", 10), ("a", "2026-02-05", 20), ("a", "2026-02-20", 5),
    ("b", "2026-01-15", 30),
    ("c", "2025-10-01", 8), ("c", "2026-02-10", 12),
    ("d", "2026-02-14", 40),
    ("e", "2025-11-11", 15), ("e", "2026-03-03", 7),
]
SEGMENTS = {"a": 0, "c": 0, "b": 1, "d": 1, "e": 1}
FEB = ("2026-02-01", "2026-03-01")


@pytest.fixture
def activity():
    frame = pd.DataFrame(ACTIVITY, columns=["who", "when", "spent"])
    return nm.load_activity(frame, customer="who", time="when", value="spent")


def test_crr_churn_and_repeat_rate_for_february(activity):
    everyone, seg0, seg1 = nm.retention_rates(activity, *FEB, segments=SEGMENTS)
    # S: active before Feb 1 = a, b, c, e (4). Active in Feb: a (twice), c, d.
    # N: d (first seen Feb 14) = 1. Retained: a, c = 2. Churned: b, e = 2. E = 2 + 1 = 3.
    assert (everyone.customers_start, everyone.active, everyone.new) == (4, 3, 1)
    assert (everyone.retained, everyone.churned, everyone.customers_end) == (2, 2, 3)
    assert everyone.crr == (3 - 1) / 4 == 0.5  # CRR = (E - N) / S
    assert everyone.churn == 2 / 4
    assert everyone.repeat_rate == round(1 / 3, 6)  # only a is active twice, of 3 active
    assert everyone.value == 20 + 5 + 12 + 40
    assert everyone.segment_id is None and everyone.reactivated == 0
    # segment 0 = a, c: S = {a, c}, both active, nobody new: CRR = (2 - 0) / 2 = 1
    assert (seg0.segment_id, seg0.customers_start, seg0.customers_end, seg0.new) == (0, 2, 2, 0)
    assert (seg0.crr, seg0.churn, seg0.repeat_rate) == (1.0, 0.0, 0.5)  # a repeats, c not
    assert seg0.value == 20 + 5 + 12
    # segment 1 = b, d, e: S = {b, e}, active = {d}, N = {d}: E = 0 + 1, CRR = (1 - 1) / 2 = 0
    assert (seg1.customers_start, seg1.customers_end, seg1.new, seg1.churned) == (2, 1, 1, 2)
    assert (seg1.crr, seg1.churn, seg1.repeat_rate) == (0.0, 1.0, 0.0)


def test_lookback_limits_who_counts_at_the_start(activity):
    rate = nm.retention_rates(activity, *FEB, lookback="60D")[0]
    # 60 days before Feb 1 is Dec 3: S = a (Jan 10), b (Jan 15); c (Oct) and e (Nov 11) are out.
    # Retained: a. c comes back in Feb after more than 60 days away: reactivated, not in E.
    assert (rate.customers_start, rate.retained, rate.reactivated, rate.new) == (2, 1, 1, 1)
    assert rate.customers_end == 1 + 1
    assert rate.crr == (2 - 1) / 2


def test_no_customers_at_the_start_gives_no_rate(activity):
    rate = nm.retention_rates(activity, "2025-01-01", "2025-02-01")[0]
    assert rate.customers_start == 0 and rate.crr is None and rate.churn is None


def test_monthly_cohort_table(activity):
    table = nm.cohort_table(activity)
    # first months: c 2025-10, e 2025-11, a and b 2026-01, d 2026-02; data ends in 2026-03
    assert table.index.tolist() == ["2025-10", "2025-11", "2026-01", "2026-02"]
    assert table["size"].tolist() == [1, 1, 2, 1]
    assert table.loc["2025-10", [0, 1, 2, 3, 4]].tolist() == [1, 0, 0, 0, 1]  # c back in Feb
    assert table.loc["2025-11", [0, 1, 2, 3, 4]].tolist() == [1, 0, 0, 0, 1]  # e back in Mar
    jan = table.loc["2026-01"]
    assert jan[[0, 1, 2]].tolist() == [1.0, 0.5, 0.0]  # a of {a, b} in Feb, nobody in Mar
    assert math.isnan(jan[3])  # April 2026 is after the data: unknown, not 0
    assert table.loc["2026-02", 1] == 0.0 and math.isnan(table.loc["2026-02", 2])


def test_cohort_table_per_segment(activity):
    table = nm.cohort_table(activity, segments=SEGMENTS)
    assert table.index.names == ["segment", "cohort"]
    # segment 0: a (2026-01) and c (2025-10); segment 1: b (2026-01), d (2026-02), e (2025-11)
    assert table.loc[(0, "2026-01"), 1] == 1.0  # a active in Feb
    assert table.loc[(1, "2026-01"), 1] == 0.0  # b not
    assert table["size"].sum() == 5


def test_campaign_uplift_treated_vs_control(activity):
    everyone, seg0, seg1 = nm.uplift(activity, ["a", "b", "c"], ["d", "e"], *FEB,
                                     segments=SEGMENTS)
    # treated a, b, c: a and c active in Feb → 2/3; control d, e: d active → 1/2
    assert (everyone.treated_retained, everyone.control_retained) == (2, 1)
    assert everyone.treated_rate == round(2 / 3, 6) and everyone.control_rate == 0.5
    assert everyone.uplift == pytest.approx(2 / 3 - 1 / 2, abs=1e-6)
    se = math.sqrt((2 / 3) * (1 / 3) / 3 + 0.5 * 0.5 / 2)
    assert everyone.ci_low == pytest.approx(1 / 6 - 1.96 * se, abs=1e-5)
    assert everyone.ci_high == pytest.approx(1 / 6 + 1.96 * se, abs=1e-5)
    # segment 0 has no control customer: no uplift; segment 1: b 0/1 vs d, e 1/2
    assert seg0.control == 0 and seg0.uplift is None and seg0.treated_rate == 1.0
    assert (seg1.treated_rate, seg1.control_rate, seg1.uplift) == (0.0, 0.5, -0.5)


def test_frames(activity):
    frame = rates_frame(nm.retention_rates(activity, *FEB, segments=SEGMENTS))
    assert frame["segment"].tolist()[1:] == [0, 1] and pd.isna(frame["segment"][0])
    assert frame["crr"].tolist() == [0.5, 1.0, 0.0]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"customer_id": "a", "date": "yesterday-ish"}], "date missing or not parseable (rows 0)"),
        ([{"customer_id": "a", "date": "2026-01-01"}, {"customer_id": None, "date": "2026-01-02"}],
         "empty customer id (rows 1)"),
        ([{"customer_id": "a", "when": "2026-01-01"}], "lacks column(s) 'date'"),
    ],
)
def test_bad_activity_is_a_one_line_error(rows, message):
    with pytest.raises(nm.NoomarketingError) as error:
        nm.load_activity(rows)
    assert message in str(error.value)


def test_bad_values_and_periods(activity):
    with pytest.raises(nm.NoomarketingError, match="not a number"):
        nm.load_activity([{"customer_id": "a", "date": "2026-01-01", "v": "ten"}], value="v")
    with pytest.raises(nm.NoomarketingError, match="ends"):
        nm.retention_rates(activity, "2026-03-01", "2026-02-01")
    with pytest.raises(nm.NoomarketingError, match="both treated and control"):
        nm.uplift(activity, ["a"], ["a"], *FEB)


def test_activity_dates_with_dots_are_day_first_for_the_whole_column():
    # 05.01.2026 is the 5th of January where dates are written with dots; read month first
    # it became the 1st of May, while 13.01.2026 beside it stayed in January
    table = nm.load_activity([
        {"customer_id": "a", "date": "05.01.2026", "value": "4,50"},
        {"customer_id": "b", "date": "13.01.2026", "value": "12"},
        {"customer_id": "c", "date": "2026-02-03", "value": 1},
    ], value="value")
    assert table.time.dt.strftime("%Y-%m-%d").tolist() == ["2026-01-05", "2026-01-13",
                                                          "2026-02-03"]
    assert table.value.tolist() == [4.5, 12.0, 1.0]
    by_month = nm.load_activity([{"customer_id": "a", "date": "05.01.2026"}], dayfirst=False)
    assert by_month.time.dt.month.tolist() == [5]
