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
    assert (assignments.loc[2:5, "status"] == "assigned").all()
    # a bare "same" has nothing to act on: kept, marked noise with its reason
    assert (assignments.loc[6:, "status"] == "noise").all()
    assert (assignments.loc[6:, "reason"] == "too short to act on").all()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--seed", "-1"], "random_state must be None or an integer from 0 to 4294967295, not -1"),
        (["--min-cluster-size", "1"], "min_cluster_size must be None or an integer ≥ 2, not 1"),
        (["--fit-sample-size", "-5"], "fit_sample_size must be None or an integer ≥ 1, not -5"),
    ],
)
def test_a_bad_setting_is_one_line_before_any_work(tmp_path, option, message):
    data = tmp_path / "in.csv"
    pd.DataFrame({"t": ["late delivery", "too expensive"]}).to_csv(data, index=False)
    proc = run_cli("segment", data, "--text", "t", "--out", tmp_path / "out", *option)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == f"noomarketing: error: {message}"
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_two_fits_in_two_fresh_processes_write_identical_files(tmp_path, themed, cache_dir):
    texts, _ = themed
    data = tmp_path / "in.csv"
    pd.DataFrame({"text": texts}).to_csv(data, index=False)
    outputs = []
    for name in ("first", "second"):
        proc = run_cli("segment", data, "--text", "text", "--out", tmp_path / name,
                       "--cache-dir", cache_dir, "--no-progress")
        assert proc.returncode == 0, proc.stderr
        written = proc.stdout.strip().splitlines()[-1]
        assert written.startswith(f"wrote 4 file(s) to {tmp_path / name}: ")
        outputs.append(tmp_path / name)
    first, second = outputs
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert {"assignments.csv", "map.csv", "segments.json", "model/arrays.safetensors",
            "model/config.json"} <= {str(p) for p in files}
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for path in files:
        if path.name == "segments.json":  # the same but for how long each step took
            one, two = (json.loads((folder / path).read_text()) for folder in outputs)
            for payload in (one, two):
                payload["segmentation"].pop("timings_s")
            assert one == two
        else:
            assert (first / path).read_bytes() == (second / path).read_bytes(), path


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
    assert bad.stderr.strip() == (
        "noomarketing: error: min_cluster_size must be None or an integer ≥ 2, not 1"
    )
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


def test_sentiment_by_sentence_reaches_the_scorer_from_segment_and_update(
    tmp_path, themed, cache_dir, monkeypatch
):
    from noomarketing.cli import main
    from noomarketing.sentiment import SentimentScorer

    texts, _labels = themed
    source = tmp_path / "feedback.csv"
    pd.DataFrame({"text": texts}).to_csv(source, index=False)
    seen = []
    score = SentimentScorer.score

    def recorded(self, *args, **kwargs):
        seen.append(self.by_sentence)
        return score(self, *args, **kwargs)

    monkeypatch.setattr(SentimentScorer, "score", recorded)
    common = ["segment", str(source), "--text", "text", "--cache-dir", str(cache_dir),
              "--no-progress"]
    assert main([*common, "--out", str(tmp_path / "a")]) == 0
    assert main([*common, "--out", str(tmp_path / "b"), "--sentiment-by-sentence"]) == 0
    update = ["update", str(tmp_path / "a" / "model"), str(source), "--text", "text",
              "--cache-dir", str(cache_dir), "--no-progress"]
    assert main([*update, "--out", str(tmp_path / "c")]) == 0
    assert main([*update, "--out", str(tmp_path / "d"), "--sentiment-by-sentence"]) == 0
    assert seen == [False, True, False, True]
