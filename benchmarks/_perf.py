"""Helpers shared by the benchmarks: the data folder, samples, fresh processes, the load.

The data folder is ``../shared/data`` relative to the repository root unless ``--data`` names
another one (:func:`add_data_argument`); nothing here reads an absolute path.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT.parent / "shared" / "data"
DATA = DATA_DIR / "clothing_reviews.csv.gz"
TEXT = "Review Text"


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    """``--data``: the folder holding ``clothing_reviews.csv.gz`` (default ``../shared/data``)."""
    parser.add_argument("--data", type=Path, default=DATA_DIR,
                        help="folder with clothing_reviews.csv.gz (default: ../shared/data "
                        "next to the repository)")


def clothing_sample(n: int | None = None, seed: int = 0, data: Path = DATA_DIR) -> pd.DataFrame:
    """The clothing reviews that have text, or a seeded sample of ``n`` of them.

    ``data`` is the data folder (or the CSV file itself).
    """
    path = data / DATA.name if data.is_dir() else data
    if not path.exists():
        sys.exit(f"no clothing reviews at {path}: pass --data FOLDER")
    frame = pd.read_csv(path)
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
    """User + system CPU seconds of the process and its children: on a shared machine this
    moves far less with the load than ``wall_s``, which includes waiting for a core."""


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


def own_peak_rss_mb() -> float:
    """This process's own peak RSS (``VmHWM``), in MB.

    A fresh process's ``ru_maxrss`` (and ``wait4``'s) can start at its parent's peak: the
    kernel carries the high-water mark across ``fork``/``exec``, so a heavy parent makes every
    child look as heavy. ``VmHWM`` belongs to the process's own memory map.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def nmi(truth: pd.Series, labels: np.ndarray) -> float:
    """NMI against ``truth`` on the rows that have a truth label (-1 counts as one group)."""
    known = truth.notna().to_numpy()
    return float(normalized_mutual_info_score(truth[known].astype(str), np.asarray(labels)[known]))


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} cores"


def machine_note() -> str:
    """Date, commit, CPU and cores: the header every benchmark prints."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                 cwd=ROOT, capture_output=True, text=True).stdout.strip()
        commit += " with uncommitted changes" if changed else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"{stamp}, commit {commit}, {cpu}, {os.cpu_count()} cores; {load_note()}"


def markdown(table: pd.DataFrame) -> str:
    """``table`` as a Markdown table when ``tabulate`` is installed, else as plain text."""
    try:
        return table.to_markdown(index=False)
    except ImportError:
        return table.to_string(index=False)
