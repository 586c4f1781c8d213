import sqlite3
import threading
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from noomarketing.reactions import NEUTRAL, REACTIONS, ReactionLog, beta_scores
from noomarketing.schema import NoomarketingError

OUTCOMES = [r for r in REACTIONS if r not in NEUTRAL]


@pytest.fixture
def log(tmp_path):
    with ReactionLog(tmp_path / "reactions.sqlite3") as opened:
        yield opened


def test_record_and_read_back_survives_reopening(tmp_path):
    path = tmp_path / "log.sqlite3"
    first = ReactionLog(path)
    when = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    saved = first.record("c1", "voucher-next-order", "replied", item_kind="idea", segment_id=4,
                         text="Only if it works on sale items", at=when)
    first.close()

    again = ReactionLog(str(path)).reactions()
    assert again == [saved]
    assert again[0].at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert again[0].text == "Only if it works on sale items"


def test_sqlite_file_is_in_wal_mode(log, tmp_path):
    log.record("c1", "o1", "accepted")
    with sqlite3.connect(tmp_path / "reactions.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_any_sqlalchemy_url_is_accepted(tmp_path):
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    ReactionLog(url).record("c1", "o1", "clicked", segment_id=1)
    assert [r.reaction for r in ReactionLog(url).reactions(segment_id=1)] == ["clicked"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reaction": "liked"}, "unknown reaction 'liked'"),
        ({"item_kind": "coupon"}, "unknown item_kind 'coupon'"),
        ({"customer_id": " "}, "customer_id must be a non-empty string"),
        ({"reaction": "replied"}, "needs the reply's text"),
    ],
)
def test_bad_reactions_are_refused_and_nothing_is_stored(log, kwargs, message):
    args = {"customer_id": "c1", "item_id": "o1", "reaction": "accepted"} | kwargs
    with pytest.raises(NoomarketingError, match=message):
        log.record(args.pop("customer_id"), args.pop("item_id"), args.pop("reaction"), **args)
    assert log.reactions() == []


def test_record_many_is_all_or_nothing(log):
    good = ReactionLog.make("c1", "o1", "accepted")
    bad = good.model_copy(update={"reaction": "loved"})
    with pytest.raises(NoomarketingError, match="unknown reaction"):
        log.record_many([good, bad])
    assert log.reactions() == []
    assert log.record_many([good, good.model_copy(update={"customer_id": "c2"})]) == 2
    assert len(log.reactions()) == 2


def test_filters(log):
    log.record("a", "x", "accepted", item_kind="idea", segment_id=1)
    log.record("b", "x", "ignored", item_kind="idea", segment_id=2)
    log.record("a", "y", "clicked", item_kind="offer", segment_id=1)
    assert len(log.reactions(segment_id=1)) == 2
    assert [r.item_id for r in log.reactions(customer_id="a", item_kind="offer")] == ["y"]
    frame = log.to_frame(item_kind="idea")
    assert frame["customer_id"].tolist() == ["a", "b"]


def test_counts_one_trial_per_customer_latest_wins_and_replies_are_neutral(log):
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    # a: clicked then rejected -> failure; b: ignored then accepted -> success
    log.record("a", "x", "clicked", item_kind="idea", segment_id=1, at=t0)
    log.record("a", "x", "rejected", item_kind="idea", segment_id=1, at=t0 + timedelta(days=1))
    log.record("b", "x", "accepted", item_kind="idea", segment_id=1, at=t0 + timedelta(days=2))
    log.record("b", "x", "ignored", item_kind="idea", segment_id=1, at=t0 + timedelta(days=1))
    log.record("c", "x", "replied", item_kind="idea", segment_id=1, text="maybe later")
    log.record("c", "y", "clicked", item_kind="idea", segment_id=2)
    log.record("d", "x", "accepted", item_kind="offer", segment_id=1)
    assert log.counts("idea", segment_id=1) == {"x": (1, 2)}
    assert log.counts("idea") == {"x": (1, 2), "y": (1, 1)}
    assert log.counts("offer") == {"x": (1, 1)}
    assert log.counts("idea", customer_id="a") == {"x": (0, 1)}
    with pytest.raises(NoomarketingError, match="unknown item_kind"):
        log.counts("ideas")


def test_replies_become_feedback_for_the_next_round(log):
    log.record("c7", "price-lock", "replied", item_kind="idea", segment_id=3,
               text="A price lock would keep me here")
    log.record("c8", "price-lock", "accepted", item_kind="idea", segment_id=3)
    feedback = log.replies_as_feedback(segment_id=3)
    assert feedback.texts == ["A price lock would keep me here"]
    assert feedback.items[0].customer_id == "c7"
    assert feedback.items[0].attributes["item_id"] == "price-lock"


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite3"
    ReactionLog(path).reactions()  # create the table once

    def write(worker: int) -> None:
        own = ReactionLog(path)
        for i in range(25):
            own.record(f"c{worker}-{i}", "o1", OUTCOMES[i % len(OUTCOMES)])
        own.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ReactionLog(path).reactions()) == 100


def test_beta_scores_mean_prior_and_thompson():
    counts = {"good": (9, 10), "bad": (1, 10)}
    means = beta_scores(counts, ["good", "bad", "new"])
    assert means == pytest.approx({"good": 10 / 12, "bad": 2 / 12, "new": 0.5})
    assert beta_scores(counts, ["new"], prior=(2.0, 6.0)) == {"new": 0.25}

    first = beta_scores(counts, ["good", "bad", "new"], random_state=3)
    assert first == beta_scores(counts, ["good", "bad", "new"], random_state=3)
    assert first != beta_scores(counts, ["good", "bad", "new"], random_state=4)
    draws = [beta_scores(counts, ["good", "bad"], random_state=s) for s in range(300)]
    assert np.mean([d["good"] for d in draws]) == pytest.approx(10 / 12, abs=0.03)
    assert np.mean([d["good"] > d["bad"] for d in draws]) > 0.95


@pytest.mark.parametrize(
    ("counts", "prior", "message"),
    [({"x": (3, 2)}, (1, 1), "successes <= trials"), ({}, (0, 1), "prior must be")],
)
def test_beta_scores_refuse_bad_input(counts, prior, message):
    with pytest.raises(NoomarketingError, match=message):
        beta_scores(counts, ["x"], prior=prior)
