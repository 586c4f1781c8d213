import json
import re
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
    assert set(assignments["status"]) <= {"assigned", "unassigned", "skipped"}
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
    assert proc.returncode == 1
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
    assert (assignments.loc[2:, "status"] == "assigned").all()


def run_module(*args, stdin=None):
    """``python -m noomarketing``: the same entry point as the installed command."""
    return subprocess.run(
        [sys.executable, "-m", "noomarketing", *map(str, args)],
        capture_output=True, text=True, input=stdin, timeout=600,
    )


def test_version_and_help_of_every_command():
    proc = run_module("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("noomarketing ")
    proc = run_module("--help")
    assert proc.returncode == 0 and "exit codes" in proc.stdout
    for command in ("segment", "run", "report"):
        proc = run_module(command, "--help")
        assert proc.returncode == 0, proc.stderr
        assert f"noomarketing {command} " in proc.stdout.split("example", 1)[1]
        assert re.search(r"^  --[a-z-]+", proc.stdout, flags=re.M)


def test_every_option_has_help():
    from noomarketing.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_exit_codes_usage_2_bad_value_1(tmp_path):
    usage = run_module("segment", "--text", "text")  # no input, no --out
    assert usage.returncode == 2 and "usage:" in usage.stderr
    unknown = run_module("nonsense")
    assert unknown.returncode == 2
    bad = run_module("segment", nm.example_feedback_path(), "--text", "text",
                     "--out", tmp_path / "o", "--min-cluster-size", "1", "--no-progress")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "noomarketing: error: min_cluster_size must be at least 2"
    missing = run_module("report", tmp_path / "nowhere")
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
    empty = run_module("segment", "-", "--text", "text", "--out", tmp_path / "o", stdin="")
    assert empty.returncode == 1 and "standard input is empty" in empty.stderr


@pytest.mark.slow
def test_stdin_json_summary_and_report(tmp_path, cache_dir):
    rows = pd.read_csv(nm.example_feedback_path()).head(80)
    out = tmp_path / "out"
    proc = run_module("segment", "-", "--text", "text", "--customer", "customer_id",
                      "--time", "created_at", "--out", out, "--cache-dir", cache_dir,
                      "--no-progress", "--format", "json", "--report",
                      stdin=rows.to_csv(index=False))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)  # stdout is JSON only
    assert summary["segmentation"]["n_items"] == rows["text"].notna().sum()
    assert len(summary["segments"]) == summary["segmentation"]["n_segments"]
    assert (out / "report.html").is_file() and summary["report"].endswith("report.html")
    (out / "report.html").unlink()
    again = run_module("report", out)
    assert again.returncode == 0 and (out / "report.html").is_file()
    assert "What each segment wants" in (out / "report.html").read_text(encoding="utf-8")
