"""Helpers shared by the performance benchmarks (issue 4): data samples and fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "clothing_reviews.csv.gz"
if not DATA.exists():  # a worktree beside main: shared/ is next to the repositories
    DATA = Path("/work/shared/data/clothing_reviews.csv.gz")
TEXT = "Review Text"


def clothing_sample(n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The clothing reviews that have text, or a seeded sample of ``n`` of them."""
    frame = pd.read_csv(DATA)
    frame = frame[frame[TEXT].notna() & frame[TEXT].astype(str).str.strip().ne("")]
    if n is not None:
        frame = frame.sample(n, random_state=seed)
    return frame.reset_index(drop=True)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh child process: offline, importing this checkout's code."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    env.update(extra)
    return env


@dataclass
class Run:
    wall_s: float
    peak_rss_mb: float
    output: str
    cpu_s: float = 0.0
    """User + system CPU seconds of the process and its children: unlike the wall time, it
    barely moves with the machine's load (on an idle 2-core machine wall ≈ cpu for
    single-threaded work, less for threaded parts)."""


def run_fresh(args: list[str], **env: str) -> Run:
    """Run a command in a fresh process; its wall time and peak RSS (from the kernel)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=child_env(**env), text=True
    )
    output = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(args)}\n{output[-3000:]}")
    return Run(wall, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime)


def nmi(truth: pd.Series, labels: np.ndarray) -> float:
    """NMI against ``truth`` on the rows that have a truth label (-1 counts as one group)."""
    known = truth.notna().to_numpy()
    return float(normalized_mutual_info_score(truth[known].astype(str), np.asarray(labels)[known]))


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} cores"
