"""Crash-safe outputs: a run killed at any point leaves the previous outputs whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fakes import fake_model

import noomarketing as nm
from noomarketing.atomic import MARKER, atomic_folder, check_out
from noomarketing.schema import NoomarketingError

TESTS = Path(__file__).parent
SRC = TESTS.parent / "src"

WRITER = r'''
import os, signal, sys
import pandas as pd
from fakes import fake_model
import noomarketing as nm
import noomarketing.atomic as atomic
import noomarketing.persistence as persistence

out, point, tag, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "csv":  # half of the first file written
    def partial(self, path=None, *args, **kwargs):
        with open(path, "w") as handle:
            handle.write("row,customer_id\n0,")
        die()
    pd.DataFrame.to_csv = partial
elif point == "model":  # inside the model's save
    persistence.save_file = die
elif point == "briefs":  # all of stage 1 written, stage 3 not
    import noomarketing.results as results
    results.write_briefs = die
elif point == "swap":  # everything written, not swapped in yet
    atomic._swap_in = die
elif point == "between-renames":  # systems without an atomic exchange: two renames
    atomic._exchange = lambda a, b: False
    real, calls = os.rename, []
    def rename(a, b):
        calls.append(a)
        if len(calls) == 2:
            die()
        real(a, b)
    os.rename = rename
elif point == "cleanup":  # swapped in, the old folder not yet removed
    import shutil
    shutil.rmtree = die
texts = [f"{tag} feedback number {i} about the delivery" for i in range(n)]
nm.run(pd.DataFrame({"text": texts}), nm.example_offers_path(), model=fake_model(), out=out)
'''


def _write(tmp_path: Path, out: Path, point: str, tag: str, n: int) -> int:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{TESTS}", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, str(script), str(out), point, tag, str(n)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, -signal.SIGKILL), proc.stderr
    return proc.returncode


def _state(out: Path) -> tuple[list[str], int, set[str]]:
    """File names, items in segments.json, and which runs' texts the files hold."""
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    n_items = json.loads((out / "segments.json").read_text())["segmentation"]["n_items"]
    tags = set()
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".csv", ".md", ".html"):
            text = path.read_text(encoding="utf-8")
            tags |= {tag for tag in ("first", "second") if f"{tag} feedback" in text}
    return names, n_items, tags


def _run(out: Path, tag: str, n: int) -> None:
    texts = [f"{tag} feedback number {i} about the delivery" for i in range(n)]
    nm.run(pd.DataFrame({"text": texts}), nm.example_offers_path(), model=fake_model(), out=out)


@pytest.mark.parametrize(
    "point", ["csv", "model", "briefs", "swap", "between-renames", "cleanup"]
)
def test_a_run_killed_at_any_point_leaves_one_whole_run(tmp_path, point):
    out = tmp_path / "out"
    _run(out, "first", 12)
    (out / "my-notes.txt").write_text("mine")  # a file of the user's, not ours
    before = _state(out)
    assert before[1] == 12 and before[2] == {"first"}

    assert _write(tmp_path, out, point, "second", 4) == -signal.SIGKILL
    check_out(out)  # what the next run does first: repair what the killed one left
    after = _state(out)
    if point == "cleanup":  # killed after the swap: the new run is whole
        assert after[1] == 4 and after[2] == {"second"}
    else:
        assert after == before
    assert (out / "my-notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []

    _run(out, "second", 4)  # and the next run completes
    names, n_items, tags = _state(out)
    assert n_items == 4 and tags == {"second"}
    # fewer segments than before: the old briefs are gone, not left beside the new ones
    assert len([n for n in names if n.startswith("briefs/")]) < len(
        [n for n in before[0] if n.startswith("briefs/")])
    assert (out / "my-notes.txt").read_text() == "mine"


def test_an_unkilled_writer_subprocess_completes(tmp_path):
    out = tmp_path / "out"
    assert _write(tmp_path, out, "none", "second", 4) == 0
    assert _state(out)[1:] == (4, {"second"})


def test_a_segment_run_into_a_former_run_folder_leaves_no_proposals(tmp_path):
    texts = pd.DataFrame({"text": [f"text {i} about sizes" for i in range(6)]})
    out = tmp_path / "out"
    nm.run(texts, nm.example_offers_path(), model=fake_model(), out=out)
    assert (out / "proposals.csv").exists()
    nm.segment(texts, fake_model()).write(out)
    assert not (out / "proposals.csv").exists() and not (out / "briefs").exists()
    assert json.loads((out / MARKER).read_text())["entries"] == [
        "assignments.csv", "map.csv", "model", "segments.json"]


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    with atomic_folder(out) as folder:
        (folder / "segments.json").write_text("{}")
    with pytest.raises(RuntimeError), atomic_folder(out) as folder:
        (folder / "assignments.csv").write_text("half")
        raise RuntimeError("stage 3 failed")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "segments.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_bad_out_is_refused_before_the_work(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(NoomarketingError, match="is not a folder"):
        check_out(a_file)
    foreign = tmp_path / "project"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("years of work")
    with pytest.raises(NoomarketingError, match="holds other files"):
        check_out(foreign)
    with pytest.raises(NoomarketingError, match="cannot write"):
        check_out("/proc/noomarketing-out")
    with pytest.raises(NoomarketingError, match=r"cannot write|not a folder"):
        check_out(a_file / "under-a-file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_read_only_parent_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(NoomarketingError, match="cannot write"):
            check_out(locked / "out")
    finally:
        locked.chmod(0o700)


def test_run_refuses_a_bad_out_before_loading(tmp_path, monkeypatch):
    import noomarketing.pipeline as pipeline

    def boom(*args, **kwargs):
        raise AssertionError("segmentation started")

    monkeypatch.setattr(pipeline, "segment", boom)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(NoomarketingError, match="is not a folder"):
        nm.run(["late"], nm.example_offers_path(), model=fake_model(), out=a_file)


RECORDER = r'''
import sys
from noomarketing.reactions import ReactionLog

log = ReactionLog(sys.argv[1])
for i in range(100_000):
    log.record(f"c{i}", "voucher", "accepted", item_kind="offer", segment_id=i % 3)
    print(i + 1, flush=True)  # after the commit returned
'''


def test_reaction_log_keeps_every_committed_reaction_after_kill_9(tmp_path):
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    db = tmp_path / "reactions.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, str(script), str(db)], env=env,
                            stdout=subprocess.PIPE, text=True)
    committed = 0
    try:
        for line in proc.stdout:  # bounded: the recorder prints after every commit
            committed = int(line)
            if committed >= 200:
                break
        proc.send_signal(signal.SIGKILL)  # mid-way through the next write
    finally:
        proc.kill()
        proc.wait(timeout=60)
        proc.stdout.close()
    assert committed >= 200
    with nm.ReactionLog(db) as log:
        frame = log.to_frame()
    assert len(frame) >= committed
    assert set(frame.customer_id) >= {f"c{i}" for i in range(committed)}
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
