import json
import subprocess
import sys

import pandas as pd
import pytest
from corpus import example_truth

import noomarketing as nm


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "noomarketing.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


@pytest.mark.slow
def test_segment_on_the_bundled_example(tmp_path, cache_dir):
    out = tmp_path / "out"
    proc = run_cli(
        "segment", nm.example_feedback_path(), "--text", "text", "--customer", "customer_id",
        "--time", "created_at", "--rating", "rating", "--id", "feedback_id",
        "--out", out, "--cache-dir", cache_dir, "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    assert "segment(s) from" in proc.stdout and "skipped" in proc.stdout
    rows = pd.read_csv(nm.example_feedback_path())
    assignments = pd.read_csv(out / "assignments.csv")
    assert assignments["row"].tolist() == list(range(len(rows)))  # one row per input row
    assert set(assignments["status"]) <= {"assigned", "unassigned", "noise", "skipped"}
    assert (assignments["status"] == "skipped").sum() == 3
    segments = json.loads((out / "segments.json").read_text())
    assert segments["segmentation"]["n_segments"] == len(segments["segments"]) >= 4
    assert segments["segmentation"]["unassigned_share"] <= 0.15
    ideas = nm.read_segments_json(out / "segments.json")
    assert all(idea.keywords and idea.quotes for idea in ideas)
    assert any(idea.rating_impact is not None for idea in ideas)

    # ~16% of the example is Polish/Russian: the multilingual model is chosen, and those rows
    # join the segment of their theme instead of segments of their own language
    info = segments["segmentation"]
    assert info["embedding_choice"].startswith("universal-sentence-encoder-multilingual-3")
    assert {"en", "pl", "ru"} <= set(info["languages"])
    assert "languages: en 8" in proc.stdout and "embedding: universal" in proc.stdout
    truth = dict(zip(rows.index, example_truth(rows["text"].fillna("").tolist()), strict=True))
    segment_of = assignments.dropna(subset=["segment"]).set_index("row")["segment"].to_dict()
    english_theme = {}
    for segment in set(segment_of.values()):
        themes = [truth[r][0] for r, s in segment_of.items()
                  if s == segment and truth[r][1] == "en"]
        english_theme[segment] = max(set(themes), key=themes.count) if themes else None
    others = [r for r in segment_of if truth[r][1] in ("pl", "ru")]
    joined = sum(english_theme[segment_of[r]] == truth[r][0] for r in others)
    assert len(others) >= 40 and joined / len(others) >= 0.8
    assert any(len(idea.keywords_by_language) > 1 for idea in ideas)


def test_missing_column_is_one_line_on_stderr(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"text": ["a"]}).to_csv(path, index=False)
    proc = run_cli("segment", path, "--text", "comment", "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("noomarketing: error: column(s) 'comment' not found")
    assert "Traceback" not in proc.stderr


def test_nasty_input_end_to_end(tmp_path, cache_dir):
    """Empty, NaN, one 1 MB row, mixed languages and duplicates in one file: no crash."""
    texts = ["", None, "word " * 200_000, "Dostawa spóźniona", "Доставка опоздала", "late"] + [
        "same"
    ] * 10
    path = tmp_path / "nasty.csv"
    pd.DataFrame({"text": texts}).to_csv(path, index=False)
    proc = run_cli("segment", path, "--text", "text", "--out", tmp_path / "o",
                   "--cache-dir", cache_dir, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assignments = pd.read_csv(tmp_path / "o" / "assignments.csv")
    assert len(assignments) == len(texts)
    assert assignments.loc[[0, 1], "status"].tolist() == ["skipped", "skipped"]
    assert (assignments.loc[2:5, "status"] == "assigned").all()
    # a bare "same" has nothing to act on: kept, marked noise with its reason
    assert (assignments.loc[6:, "status"] == "noise").all()
    assert (assignments.loc[6:, "reason"] == "too short to act on").all()
