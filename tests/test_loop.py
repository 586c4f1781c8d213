"""The monthly loop from the command line: `update` and `run --previous` on the bundled example
split into two months, and the one-line errors of folders that hold no model."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import noomarketing as nm
from noomarketing.cli import main

STATUSES = {"new", "growing", "stable", "fading", "gone"}
COLUMNS = ["--text", "text", "--customer", "customer_id", "--time", "created_at",
           "--rating", "rating", "--id", "feedback_id"]


def two_months(folder):
    """The example feedback as two batches: up to February, and from March on."""
    frame = pd.read_csv(nm.example_feedback_path())
    when = pd.to_datetime(frame["created_at"], errors="coerce")
    later = when >= "2026-03-01"
    first, second = folder / "first.csv", folder / "second.csv"
    frame[~later].to_csv(first, index=False)
    frame[later].to_csv(second, index=False)
    return first, second, int((~later).sum()), int(later.sum())


@pytest.mark.slow
def test_update_and_run_previous_end_to_end(tmp_path, cache_dir, capsys):
    first, second, n_first, n_second = two_months(tmp_path)
    common = ["--offers", nm.example_offers_path(), "--budget", "150", "--cache-dir", cache_dir,
              "--no-progress"]
    log_path = tmp_path / "reactions.sqlite3"
    assert main(["run", str(first), *COLUMNS, *map(str, common), "--out", str(tmp_path / "jan"),
                 "--reactions", str(log_path)]) == 0
    proposals = pd.read_csv(tmp_path / "jan" / "proposals.csv", dtype=str)
    with nm.ReactionLog(log_path) as log:
        log.record(proposals["customer_id"][0], proposals["offer_id"][0], "accepted",
                   item_kind="offer")
    capsys.readouterr()

    # stage 1 alone: the saved model takes the second month in
    assert main(["update", str(tmp_path / "jan" / "model"), str(second), *COLUMNS,
                 "--batch", "2026-03", "--cache-dir", cache_dir, "--no-progress",
                 "--out", str(tmp_path / "upd")]) == 0
    assert "wrote 4 file(s)" in capsys.readouterr().out
    segments = json.loads((tmp_path / "upd" / "segments.json").read_text())
    assert segments["segmentation"]["batches"] == ["1", "2026-03"]
    assert segments["segments"] and all(s["status"] in STATUSES and s["first_batch"]
                                        for s in segments["segments"])
    assert json.loads((tmp_path / "upd" / "model" / "config.json").read_text())[
        "batches_"] == ["1", "2026-03"]

    # the whole method, starting from the first run's folder
    assert main(["run", str(second), *COLUMNS, *map(str, common), "--previous",
                 str(tmp_path / "jan"), "--out", str(tmp_path / "feb"), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    since = summary["since_last"]
    assert since["proposals"]["made"] == len(proposals.drop_duplicates(["customer_id",
                                                                        "offer_id"]))
    assert since["proposals"]["accepted"] == 1
    assert since["customers_moved"] >= 0  # customers in both months whose idea moved
    for key in ("new", "growing", "fading"):
        assert all(item["segment"] >= 0 and item["status"] in STATUSES for item in since[key])
    assert json.loads((tmp_path / "feb" / "loop.json").read_text())["batches"] == ["1", "2"]
    # nothing assigned before is lost: every row of every batch has a status somewhere
    for name, n_rows in (("jan", n_first), ("feb", n_second), ("upd", n_second)):
        assignments = pd.read_csv(tmp_path / name / "assignments.csv")
        assert len(assignments) == n_rows and assignments["status"].notna().all(), name
    # the segments of the first month keep their ids in the second
    first_ids = {s["segment_id"] for s in json.loads(
        (tmp_path / "jan" / "segments.json").read_text())["segments"]}
    second_ideas = json.loads((tmp_path / "feb" / "segments.json").read_text())["segments"]
    for idea in second_ideas:
        assert (idea["segment_id"] in first_ids) == (idea["first_batch"] == "1")


def test_folders_without_a_model_are_one_line(tmp_path, capsys):
    data = tmp_path / "in.csv"
    pd.DataFrame({"text": ["late parcel", "rude support"]}).to_csv(data, index=False)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "config.json").write_text("{}")
    calls = [
        ["update", str(tmp_path / "empty"), str(data), "--text", "text", "--out",
         str(tmp_path / "o")],
        ["update", str(tmp_path / "missing"), str(data), "--text", "text", "--out",
         str(tmp_path / "o")],
        ["run", str(data), "--text", "text", "--offers", str(nm.example_offers_path()),
         "--previous", str(tmp_path / "empty"), "--out", str(tmp_path / "o")],
    ]
    for argv in calls:
        assert main(argv) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("noomarketing: error:") and "\n" not in err, err
        assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_an_output_folder_is_not_taken_for_its_model(tmp_path):
    fb = ["late parcel", "too expensive", "rude support"]
    nm.segment(fb, nm.SegmentModel(language="off")).write(tmp_path / "out")
    with pytest.raises(nm.NoomarketingError, match="its model is"):
        nm.update(tmp_path / "out", ["still late"])
