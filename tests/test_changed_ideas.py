import pandas as pd
import pytest
from test_proposing import IDEAS, cached, matches  # noqa: F401 (fixtures)

import noomarketing as nm
from noomarketing.changed_ideas import latest_moves
from noomarketing.over_time import idea_changes, write_idea_changes
from noomarketing.proposal_result import PROPOSAL_COLUMNS
from noomarketing.schema import Feedback, FeedbackItem, NoomarketingError

# customer (None: anonymous), time, text, segment (0: delivery, 1: size)
HISTORY = [
    ("mia", "2024-01-04", "My parcel came a week late", 0),
    ("mia", "2024-01-19", "The courier lost my package again", 0),
    ("mia", "2024-02-08", "The size chart is wrong, the jeans run small", 1),
    ("leo", "2024-01-07", "Delivery took twelve days", 0),
    ("leo", "2024-02-02", "Shipping is far too slow", 0),
    (None, "2024-01-11", "Parcel arrived late and damaged", 0),
    (None, "2024-02-14", "Trousers too tight, sizing is off", 1),
    ("ivy", "2024-02-03", "The fit is off, I needed a bigger size", 1),
]


def history_feedback(rows=HISTORY):
    items = [FeedbackItem(row=i, text=text, customer_id=c or f"row-{i}", anonymous=c is None,
                          time=t) for i, (c, t, text, _) in enumerate(rows)]
    return Feedback(items=items), [s for *_, s in rows]


@pytest.fixture(scope="module")
def changed(cached, matches):  # noqa: F811
    feedback, labels = history_feedback()
    return nm.propose(feedback, labels, IDEAS, matches, embedder=cached, only_changed=True,
                      min_score=0.0)


def test_only_changed_reaches_only_customers_whose_idea_changed(changed):
    assert changed.proposals, "mia's idea changed: she gets a proposal"
    assert {p.customer_id for p in changed.proposals} == {"mia"}
    assert not any(u.customer_id == "leo" for u in changed.unserved)  # not a target at all
    assert changed.settings["only_changed"] is True


def test_the_evidence_shows_the_old_and_the_new_idea(changed):
    for proposal in changed.proposals:
        assert (proposal.previous_segment_id, proposal.segment_id) == (0, 1)
        assert proposal.previous_segment_label == IDEAS[0].label
        assert proposal.segment_label == IDEAS[1].label
        assert proposal.changed_in == "2024-02"
        # her own words in the evidence are those of the new idea
        assert proposal.quote_text == HISTORY[2][2]
    frame = changed.to_frame()
    assert list(frame.columns) == PROPOSAL_COLUMNS
    assert set(frame["previous_segment"]) == {0} and set(frame["changed_in"]) == {"2024-02"}


def test_changes_read_back_from_csv_target_the_same_customers(tmp_path, cached, matches):  # noqa: F811
    feedback, labels = history_feedback()
    path = write_idea_changes(idea_changes(feedback, labels, ideas=IDEAS), tmp_path / "c.csv")
    # this month's feedback only: the history said who moved
    february = [row for row in HISTORY if row[1] >= "2024-02"]
    fb, lab = history_feedback(february)
    result = nm.propose(fb, lab, IDEAS, matches, embedder=cached, only_changed=True,
                        changes=pd.read_csv(path), min_score=0.0)
    assert {p.customer_id for p in result.proposals} == {"mia"}
    assert {p.previous_segment_label for p in result.proposals} == {IDEAS[0].label}


def test_a_changed_customer_without_feedback_in_the_new_idea_is_listed_unserved(
        cached, matches):  # noqa: F811
    feedback, labels = history_feedback([row for row in HISTORY if row[0] != "mia"])
    changes = pd.DataFrame({"customer_id": ["mia"], "from_period": ["2024-01"],
                            "to_period": ["2024-02"], "from_segment": [0], "to_segment": [1]})
    result = nm.propose(feedback, labels, IDEAS, matches, embedder=cached, only_changed=True,
                        changes=changes)
    assert not result.proposals
    assert [(u.customer_id, u.segment_id) for u in result.unserved] == [("mia", 1)]
    assert "new segment 1" in result.unserved[0].reason


def test_latest_move_wins():
    changes = pd.DataFrame({"customer_id": ["a", "b", "a"], "to_period": ["2", "2", "3"],
                            "from_segment": [0, 1, 1], "to_segment": [1, 0, 2]})
    moves = latest_moves(changes)
    assert (moves["a"].from_segment, moves["a"].to_segment, moves["a"].changed_in) == (1, 2, "3")
    assert moves["b"].to_segment == 0


def test_only_changed_needs_to_know_whose_idea_changed(cached, matches):  # noqa: F811
    untimed = Feedback(items=[FeedbackItem(row=0, text="late parcel", customer_id="a")])
    with pytest.raises(NoomarketingError, match="whose idea changed"):
        nm.propose(untimed, [0], IDEAS, matches, embedder=cached, only_changed=True)
    with pytest.raises(NoomarketingError, match="lack column"):
        nm.propose(untimed, [0], IDEAS, matches, embedder=cached, only_changed=True,
                   changes=pd.DataFrame({"customer_id": ["a"]}))
    feedback, labels = history_feedback()
    with pytest.raises(NoomarketingError, match="per='customer'"):
        nm.propose(feedback, labels, IDEAS, matches, embedder=cached, only_changed=True,
                   per="segment")
