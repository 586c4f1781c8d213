"""The bad-input matrix: every case through the Python API and the CLI.

Each case ends in one clear line (a ``NoomarketingError``; exit code 1 on the CLI) before any
text is embedded, or in a result where every input row is accounted for, with a note saying
what was skipped or changed and why. Never a traceback, a silent drop or a hang.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fakes import HashEmbedder

import noomarketing as nm
import noomarketing.embedding_choice as embedding_choice
from noomarketing.cli import main
from noomarketing.schema import NoomarketingError


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def encode(self, texts):
        self.texts += len(texts)
        return super().encode(texts)


@dataclass
class Case:
    """One row of the matrix: how to make the input, and what must come out."""

    make: Callable[[Path], Path]
    error: str | None = None  # a part of the one-line error; None: a result is expected
    note: str | None = None  # a part of a note or skip reason the result must carry
    columns: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)  # keywords of nm.run
    segments: int | None = None  # the number of segments, when it is known
    offers: Callable[[Path], Path] | None = None


def _csv(frame: pd.DataFrame, name: str = "in.csv") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        frame.to_csv(path, index=False)
        return path
    return make


def _bytes(data: bytes, name: str = "in.csv") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return make


def _texts(texts: list, **more) -> Callable[[Path], Path]:
    return _csv(pd.DataFrame({"text": texts, **more}))


REVIEWS = [f"review {i}: the parcel came late and the box was crushed" for i in range(8)]
CUSTOMERS = {"customer": [f"c{i}" for i in range(8)]}

CASES: dict[str, Case] = {
    "empty file": Case(_bytes(b""), error="is empty"),
    "header only": Case(_bytes(b"text,customer\n"), error="the input has no rows"),
    "misnamed column": Case(_texts(REVIEWS), columns={"text": "comment"},
                            error="column(s) 'comment' not found; available: text"),
    "all texts empty": Case(_texts(["", "  ", None]), error="no usable feedback: all 3 row"),
    "one row": Case(_texts(["the parcel was late"]), segments=1),
    "two rows": Case(_texts(["the parcel was late", "sizes run small"]), segments=2),
    "10 identical rows": Case(_texts(["the parcel was late"] * 10), segments=1),
    "5,000 identical rows": Case(
        _texts(["the parcel was late"] * 5000, customer=[f"c{i}" for i in range(5000)]),
        columns={"customer": "customer"}, segments=1),
    "1 MB text": Case(_texts(["word " * 200_000, *REVIEWS[:3]]), note="cut to the first"),
    "binary data": Case(_bytes(bytes(range(256)) * 40), error="binary data"),
    "not UTF-8": Case(_bytes("text\nok\nza\u017c\u00f3\u0142\u0107\n".encode("cp1250")),
                      error="line 3: bytes that are not utf-8"),
    "not UTF-8, encoding given": Case(
        _bytes("text\nok\nza\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105\n".encode("cp1250")),
        columns={"encoding": "cp1250"}),
    "bad JSONL line": Case(_bytes(b'{"text": "late"}\n{"text": "ok"}\n{"text": oops}\n',
                                  "in.jsonl"), error="line 3: not valid JSON"),
    "JSON that is not a table": Case(_bytes(b'{"text": "late parcel", "stars": 1}', "in.json"),
                                     error="is not a table"),
    "emoji only": Case(_texts(["\U0001f600\U0001f600", "\U0001f621", "late parcel"]),
                       note="emoji or symbols only"),
    "nothing but noise": Case(_texts(["ok", "good", "asdf", "\U0001f44d"]),
                              error="nothing to act on: all 4 feedback items are noise"),
    "stop words only": Case(_texts(["the and of it", "late parcel", "rude courier"]),
                            note="only stop words"),
    "duplicated ids": Case(_texts(REVIEWS[:3], id=["a", "a", "b"]), columns={"id": "id"},
                           note="duplicate id 'a'"),
    "mixed date formats": Case(
        _texts(REVIEWS[:3], when=["05.01.2026", "2026-01-05", "13.01.2026"]),
        columns={"time": "when"}),
    "ambiguous dates": Case(_texts(REVIEWS[:2], when=["05.01.2026", "06.02.2026"]),
                            columns={"time": "when"}, note="day or month first"),
    "ratings out of range": Case(_texts(REVIEWS[:6], stars=[1, 5, 4, 3, 1000, -3]),
                                 columns={"rating": "stars"}, note="rating outside 0..5"),
    "ratings out of 10": Case(_texts(REVIEWS[:6], stars=[0, 3, 7, 10, 9, 2]),
                              columns={"rating": "stars"}),
    "ratings beyond the scale given": Case(
        _texts(REVIEWS[:6], stars=[0, 3, 7, 10, 9, 2]), columns={"rating": "stars"},
        settings={"rating_range": (1, 5)}, error="outside the scale 1 to 5"),
    "a scale upside down": Case(_texts(REVIEWS), settings={"rating_range": (5, 1)},
                                error="rating_range must be (low, high) with low < high"),
    "non-finite ratings": Case(_texts(REVIEWS[:5], stars=["inf", "1e309", "-inf", "4", "2"]),
                               columns={"rating": "stars"}, note="rating is infinite"),
    "offers without descriptions": Case(
        _texts(REVIEWS), error="description",
        offers=_csv(pd.DataFrame({"id": ["a"], "name": ["A"]}), "offers.csv")),
    "negative seed": Case(_texts(REVIEWS), settings={"random_state": -1}, error="random_state"),
    "seed above 2**32": Case(_texts(REVIEWS), settings={"random_state": 2**32},
                             error="random_state"),
    "negative budget": Case(_texts(REVIEWS), settings={"budget": -5}, error="budget"),
    "control above 1": Case(_texts(REVIEWS), settings={"control": 1.5}, error="control"),
    "no proposals per customer": Case(_texts(REVIEWS), settings={"per_customer": 0},
                                      error="per_customer"),
    "pii with masking": Case(_texts(["mail me at jan@example.com", *REVIEWS[:3]]),
                             settings={"mask_pii": True}, note="contact data masked"),
}

CLI_FLAGS = {"random_state": "--seed", "budget": "--budget", "control": "--control",
             "per_customer": "--per-customer", "mask_pii": "--mask-pii",
             "rating_range": "--rating-range"}


def _columns(case: Case) -> dict:
    return {"text": "text", **case.columns}


def _offers(case: Case, folder: Path) -> Path:
    return case.offers(folder) if case.offers else nm.example_offers_path()


def _check_result(case: Case, out: Path, n_rows: int) -> None:
    """Every input row once in assignments.csv; strict JSON; the expected note."""
    assignments = pd.read_csv(out / "assignments.csv")
    assert sorted(assignments.row) == list(range(n_rows))
    assert set(assignments.status) <= {"assigned", "unassigned", "skipped", "noise"}
    skipped = assignments[assignments.status == "skipped"]
    assert skipped.reason.notna().all()
    for path in out.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse)
    info = json.loads((out / "segments.json").read_text())["segmentation"]
    report = info["load_report"]
    said = [n["note"] for n in report["notes"]] + [s["reason"] for s in report["skipped"]]
    if case.note:
        assert any(case.note in line for line in said), said
    if case.segments is not None:
        assert info["n_segments"] == case.segments


def _refuse(constant: str):
    raise AssertionError(f"{constant} in JSON output")


def _rows(path: Path, case: Case) -> int:
    return len(nm.read_table(path, case.columns.get("encoding", "utf-8")))


@pytest.mark.parametrize("name", list(CASES))
def test_matrix_through_the_api(name, tmp_path):
    case = CASES[name]
    source = case.make(tmp_path)
    embedder = CountingEmbedder()
    model = nm.SegmentModel(embedding=embedder, use_cache=False, progress=False,
                            random_state=case.settings.get("random_state", 0))
    settings = {k: v for k, v in case.settings.items() if k != "random_state"}
    call = lambda: nm.run(source, _offers(case, tmp_path), columns=_columns(case),  # noqa: E731
                          model=model, out=tmp_path / "out",
                          random_state=case.settings.get("random_state", 0), **settings)
    if case.error:
        with pytest.raises(NoomarketingError) as info:
            call()
        assert case.error in str(info.value) and "\n" not in str(info.value).strip()
        assert embedder.texts == 0  # refused before the expensive work
        assert not (tmp_path / "out").exists()
    else:
        call()
        _check_result(case, tmp_path / "out", _rows(source, case))


@pytest.mark.parametrize("name", list(CASES))
def test_matrix_through_the_cli(name, tmp_path, monkeypatch, capsys):
    case = CASES[name]
    source = case.make(tmp_path)
    embedder = CountingEmbedder()
    monkeypatch.setattr(embedding_choice, "resolve_embedder", lambda spec=None: embedder)
    argv = ["run", str(source), "--offers", str(_offers(case, tmp_path)),
            "--out", str(tmp_path / "out"), "--no-cache", "--no-progress",
            "--cache-dir", str(tmp_path / "cache")]
    for key, column in _columns(case).items():
        argv += [f"--{key}", column]
    for key, value in case.settings.items():
        values = [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
        argv += [CLI_FLAGS[key]] if value is True else [CLI_FLAGS[key], *values]
    code = main(argv)
    stderr = capsys.readouterr().err
    if case.error:
        assert code == 1
        assert stderr.startswith("noomarketing: error: ") and stderr.count("\n") == 1
        assert case.error in stderr
        assert embedder.texts == 0
    else:
        assert code == 0, stderr
        _check_result(case, tmp_path / "out", _rows(source, case))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--seed", "-1"], "random_state"),
        (["--budget", "-5"], "budget"),
        (["--control", "1.5"], "control"),
    ],
)
def test_a_real_cli_process_exits_1_with_one_line(tmp_path, args, expected):
    path = tmp_path / "in.csv"
    pd.DataFrame({"text": REVIEWS}).to_csv(path, index=False)
    proc = subprocess.run(
        [sys.executable, "-m", "noomarketing.cli", "run", str(path), "--text", "text",
         "--offers", str(nm.example_offers_path()), "--out", str(tmp_path / "o"), *args],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and expected in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "in.csv", "--text", "t", "--offers", "o.csv", "--out", "o", "--seed", "x"])
    assert info.value.code == 2 and "invalid int value" in capsys.readouterr().err


def test_non_finite_values_are_null_in_json(tmp_path):
    fb = nm.Feedback.from_texts(REVIEWS[:4])
    seg = nm.segment(fb, nm.SegmentModel(embedding=HashEmbedder(), use_cache=False))
    seg.ideas[0] = seg.ideas[0].model_copy(update={"rating_impact": math.nan,
                                                   "mean_rating": math.inf})
    seg.write(tmp_path / "out")
    payload = json.loads((tmp_path / "out" / "segments.json").read_text(), parse_constant=_refuse)
    assert payload["segments"][0]["rating_impact"] is None


def test_feedback_rejects_infinite_ratings():
    with pytest.raises(ValueError, match="finite"):
        nm.FeedbackItem(row=0, text="late", customer_id="a", rating=math.inf)


def test_an_input_that_cannot_fit_in_memory_is_refused_first(monkeypatch):
    import noomarketing.limits as limits

    monkeypatch.setattr(limits, "available_memory", lambda: 10_000_000)
    embedder = CountingEmbedder()
    texts = [f"text number {i}" for i in range(2_000)]
    with pytest.raises(NoomarketingError, match=r"need about .* GB of memory"):
        nm.segment(texts, nm.SegmentModel(embedding=embedder, use_cache=False))
    assert embedder.texts == 0
    monkeypatch.undo()
    assert limits.available_memory() is None or limits.available_memory() > 0


def test_dates_are_read_the_same_way_in_both_formats():
    fb = nm.load_feedback(pd.DataFrame({"text": ["a b", "c d", "e f"],
                                        "when": ["05.01.2026", "2026-01-05", "13.01.2026"]}),
                          time="when")
    assert [item.time.strftime("%Y-%m-%d") for item in fb.items] == [
        "2026-01-05", "2026-01-05", "2026-01-13"]
    us = nm.load_feedback(pd.DataFrame({"text": ["a b"], "when": ["01/05/2026"]}),
                          time="when", dayfirst=False)
    assert us.items[0].time.strftime("%Y-%m-%d") == "2026-01-05"


def test_identical_texts_keep_their_count():
    texts = ["the parcel was late"] * 300 + [f"other {i}" for i in range(3)]
    seg = nm.segment(pd.DataFrame({"text": texts, "c": [f"c{i}" for i in range(303)]}),
                     nm.SegmentModel(embedding=HashEmbedder(), use_cache=False, language="off"),
                     columns={"customer": "c"})
    assert seg.model.n_segments_ == 4
    assert max(idea.size for idea in seg.ideas) == 300
    assert np.bincount(seg.model.labels_).max() == 300
