import numpy as np
import pandas as pd
import pytest
from test_matching import make_idea

from noomarketing.outputs import assignments_frame
from noomarketing.over_time import (
    CHANGE_COLUMNS,
    STATUSES,
    TREND_COLUMNS,
    customer_sequences,
    idea_changes,
    ideas_over_time,
    period_counts,
    share_trends,
    write_idea_changes,
)
from noomarketing.schema import Feedback, FeedbackItem, NoomarketingError

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
    counts = pd.DataFrame({0: [50, 60, 55], 1: [20, 10, 0], 2: [0, 0, 7], 3: [0, 4, 5],
                           4: [1, 1, 0], 5: [0, 0, 0]}, index=MONTHS[:3])
    trends = share_trends(counts)
    assert trends.loc[1, "status"] == "gone" and trends.loc[1, "share_last"] == 0
    assert trends.loc[1, "p_value"] < 0.05
    # one row a month that misses a month has not gone: chance explains it
    assert trends.loc[4, "status"] == "stable" and trends.loc[4, "share_last"] == 0
    assert trends.loc[5, "status"] == "gone" and trends.loc[5, "first_period"] is None
    assert trends.loc[2, "status"] == "new" and trends.loc[2, "share_before"] == 0
    assert trends.loc[2, "first_period"] == "2024-03"
    assert trends.loc[3, "first_period"] == "2024-02"
    assert trends.loc[0, "first_period"] == "2024-01"
    assert np.isnan(trends.loc[2, "p_value"]) and np.isnan(trends.loc[5, "p_value"])


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


# --- ideas over time and customers whose idea changed ---------------------------------------

def timed_feedback(rows):
    """rows: (customer or None, time or None); a None customer is an anonymous row."""
    items = [
        FeedbackItem(row=i, text=f"text {i}", customer_id=c or f"row-{i}", anonymous=c is None,
                     time=t)
        for i, (c, t) in enumerate(rows)
    ]
    return Feedback(items=items)


MOVES = [  # customer, time, segment
    ("ann", "2024-01-03", 0), ("ann", "2024-01-20", 0), ("ann", "2024-02-11", 1),
    ("bob", "2024-01-05", 1), ("bob", "2024-02-07", 1), ("bob", "2024-03-02", 1),
    ("cat", "2024-01-09", 0), ("cat", "2024-03-15", 2), ("cat", "2024-03-16", 2),
    ("cat", "2024-03-17", 0),
    (None, "2024-01-10", 0), (None, "2024-02-10", 2), (None, "2024-02-12", -1),
    ("dan", "2024-02-01", -1), ("dan", "2024-03-01", 2),
]


@pytest.fixture
def moves():
    feedback = timed_feedback([(c, t) for c, t, _ in MOVES])
    return feedback, np.array([s for *_, s in MOVES])


def test_a_customer_moved_between_themes_shows_in_idea_changes(moves):
    feedback, labels = moves
    ideas = [make_idea(s, name, [name.lower()], [f"{name} again"])
             for s, name in enumerate(["Delivery", "Size", "Price"])]
    changes = idea_changes(feedback, labels, ideas=ideas)
    assert list(changes.columns) == [*CHANGE_COLUMNS, "from_label", "to_label"]
    moved = changes.set_index("customer_id")
    assert set(moved.index) == {"ann", "cat"}
    assert (moved.loc["ann", "from_segment"], moved.loc["ann", "to_segment"]) == (0, 1)
    assert (str(moved.loc["ann", "from_period"]), str(moved.loc["ann", "to_period"])) == (
        "2024-01", "2024-02")
    assert (moved.loc["ann", "from_label"], moved.loc["ann", "to_label"]) == ("Delivery", "Size")
    # in March cat wrote twice about price and once about delivery: price is her idea then
    assert moved.loc["cat", "to_segment"] == 2 and str(moved.loc["cat", "from_period"]) == "2024-01"
    # bob kept his idea; dan's February feedback was unassigned: no idea to move from
    seq = customer_sequences(feedback, labels)
    assert seq[seq.customer_id == "bob"]["segment"].tolist() == [1, 1, 1]
    assert seq[seq.customer_id == "dan"]["segment"].tolist() == [2]


def test_anonymous_rows_are_never_linked(moves):
    feedback, labels = moves
    seq = customer_sequences(feedback, labels)
    anonymous = {item.customer_id for item in feedback if item.anonymous}
    assert not anonymous & set(seq["customer_id"])
    # without the feedback, an id loading made up (row-<n>) is still nobody
    table = pd.DataFrame({"row": range(4), "customer_id": ["row-0", "x", "row-2", "x"],
                          "segment": [0, 0, 1, 1]})
    batches = [table.iloc[:2], table.iloc[2:].assign(row=[0, 1], customer_id=["row-0", "x"])]
    changes = idea_changes(None, batches)
    assert changes["customer_id"].tolist() == ["x"]


def test_shares_per_period_sum_to_one_without_the_unassigned(moves):
    feedback, labels = moves
    table = ideas_over_time(feedback, labels)
    assert table.columns.tolist() == ["period", "segment", "count", "share", "status"]
    assert -1 not in set(table["segment"])
    assert table.groupby("period")["share"].sum().to_numpy() == pytest.approx(1.0)
    assert [str(p) for p in table["period"].unique()] == ["2024-01", "2024-02", "2024-03"]
    # every assigned row is counted once, in the month it was written
    assert table["count"].sum() == int((labels != -1).sum())
    counts = period_counts(feedback, labels)
    assert counts.loc[pd.Period("2024-02", "M"), -1] == 2
    assert set(table["status"]) <= set(STATUSES)


def test_feedback_without_times_falls_back_to_batches():
    first = timed_feedback([("a", None), ("b", None), ("c", None)])
    second = timed_feedback([("a", None), ("b", None)])
    batches = [[0, 0, 1], [1, 0]]
    frames = [pd.DataFrame({"row": fb.rows, "customer_id": fb.customer_ids, "segment": lab,
                            "status": "assigned"}) for fb, lab in zip([first, second], batches,
                                                                      strict=True)]
    table = ideas_over_time([first, second], frames)
    assert table["period"].unique().tolist() == [1, 2]
    assert table.groupby("period")["count"].sum().tolist() == [3, 2]
    changes = idea_changes([first, second], frames)
    assert changes[["customer_id", "from_period", "to_period"]].to_dict("records") == [
        {"customer_id": "a", "from_period": 1, "to_period": 2}]
    # the same batches in one table with a batch column, named as the user likes
    one = pd.concat([f.assign(batch=name) for f, name in zip(frames, ["jan", "feb"],
                                                             strict=True)])
    assert idea_changes(None, one)["to_period"].tolist() == ["feb"]
    by_name = ideas_over_time(None, {"jan": frames[0], "feb": frames[1]})
    assert by_name["period"].unique().tolist() == ["jan", "feb"]


def test_status_and_noise_rows_of_assignments_csv_are_not_counted(tmp_path, moves):
    feedback, labels = moves
    frame = assignments_frame(feedback, labels, noise=[None] * 14 + ["too short to act on"])
    frame.to_csv(tmp_path / "assignments.csv", index=False)
    back = pd.read_csv(tmp_path / "assignments.csv")
    table = ideas_over_time(feedback, back)
    assert table["count"].sum() == int((labels != -1).sum()) - 1  # dan's March row is noise


def test_written_changes_read_back(tmp_path, moves):
    feedback, labels = moves
    path = write_idea_changes(idea_changes(feedback, labels), tmp_path / "idea_changes.csv")
    back = pd.read_csv(path)
    assert back.columns.tolist() == CHANGE_COLUMNS
    assert back.set_index("customer_id").loc["ann", "to_period"] == "2024-02"


@pytest.mark.parametrize("call", [
    lambda fb, lab: ideas_over_time(fb, lab[:-1]),
    lambda fb, lab: ideas_over_time(None, lab),
    lambda fb, lab: ideas_over_time(fb, lab, freq="fortnight"),
    lambda fb, lab: ideas_over_time(fb, lab, by="week"),
    lambda fb, lab: ideas_over_time(fb, pd.DataFrame({"row": [0], "segment": [1]})),
    lambda fb, lab: ideas_over_time(None, pd.DataFrame({"row": ["first"], "segment": [1],
                                                        "customer_id": ["a"]})),
    lambda fb, lab: ideas_over_time(fb, [pd.DataFrame({"row": [0], "segment": [1]})] * 2),
    lambda fb, lab: ideas_over_time(timed_feedback([("a", None)]), [0], by="time"),
])
def test_bad_history_gets_one_clear_line(moves, call):
    feedback, labels = moves
    with pytest.raises(NoomarketingError):
        call(feedback, labels)
