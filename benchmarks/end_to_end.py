"""End to end as a new user types it: the README's commands beside BERTopic, cold and warm.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/end_to_end.py [--n 10000] [--seed 0]

Every run is a fresh Python process timed from the outside (wall clock, peak RSS from the
kernel), in a Python environment made for this run (a venv that sees this one's packages, so
that what ``noomarketing warmup`` puts into the environment starts empty) and with an empty
``HOME``. Columns:

* **cold**: the first run with an empty ``HOME`` (no embedding cache, no model files, no
  compiled code in the user's cache) in an environment where ``make install`` ran
  ``noomarketing warmup``; the line "first ever" repeats it in an environment never warmed;
* **warm**: the same command again in the same ``HOME`` (embedding cache hit), median of
  ``--warm-runs``.

Rows, on the same seeded sample of clothing reviews: BERTopic 0.17 with the bundled
all-MiniLM-L6-v2 through sentence-transformers (UMAP with the same parameters and seed as ours,
its default HDBSCAN); ``noomarketing segment`` with no embedding option (the default); the torch
path (``--embedding torch``). Then the bundled
example through ``noomarketing run`` (``make demo``'s command), ``noomarketing --help`` and an
argument error, and ``python -X importtime`` of ``--help``.

NMI is against ``Department Name`` (6 labels) on the rows that have one; unassigned/outlier
rows count as one more group for both tools. The machine's load is printed at the start and
the end: it is shared, so wall times move with it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import site
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _perf import ROOT, TEXT, child_env, clothing_sample, load_note, machine_note, nmi, run_fresh

DATA = ROOT / "src" / "noomarketing" / "data"
DEMO = [
    str(DATA / "example_feedback.csv"), "--text", "text", "--customer", "customer_id",
    "--time", "created_at", "--rating", "rating", "--id", "feedback_id",
    "--offers", str(DATA / "example_offers.csv"), "--activity", str(DATA / "example_activity.csv"),
    "--budget", "150", "--control", "0.1", "--no-progress",
]  # fmt: skip


def bertopic_child(csv: str, out: str, seed: int) -> None:
    """Runs in its own process: BERTopic's fit_transform on the texts, labels to ``out``."""
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer
    from umap import UMAP

    from noomarketing.embedding import default_model_path

    docs = pd.read_csv(csv)[TEXT].astype(str).tolist()
    model = BERTopic(
        embedding_model=SentenceTransformer(str(default_model_path()), device="cpu"),
        umap_model=UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
        ),
    )
    topics, _ = model.fit_transform(docs)
    np.save(out, np.asarray(topics, dtype=np.int64))


def make_environment(folder: Path) -> Path:
    """A venv at ``folder`` that sees this environment's packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    packages = subprocess.run(
        [python, "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    (Path(packages) / "parent_env.pth").write_text(
        f"import site; site.addsitedir({site.getsitepackages()[0]!r})\n"
    )
    return python


class User:
    """A fresh ``HOME`` in a given environment: runs ``noomarketing`` as a new user would."""

    def __init__(self, python: Path, home: Path) -> None:
        self.python, self.home = python, home
        home.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        return {"HOME": str(self.home), "NOOMARKETING_CACHE": "", "NUMBA_CACHE_DIR": ""}

    def cli(self, *args: str):
        return run_fresh([str(self.python), "-m", "noomarketing.cli", *args], **self.env())


def segment_row(user: User, csv: str, out: Path, truth: pd.Series, *options: str) -> dict:
    run = user.cli("segment", csv, "--text", TEXT, "--out", str(out), "--no-progress", *options)
    frame = pd.read_csv(out / "assignments.csv")
    labels = frame.sort_values("row")["segment"].fillna(-1).astype(int).to_numpy()
    info = json.loads((out / "segments.json").read_text())["segmentation"]
    return {"wall_s": run.wall_s, "cpu_s": run.cpu_s, "rss_mb": run.peak_rss_mb,
            "nmi": nmi(truth, labels),
            "groups": info["n_segments"], "unassigned": info["unassigned_share"],
            "stages": info["timings_s"], "embedding": info["embedding"]}


def cold_and_warm(name: str, make_user, warm_runs: int, one_run) -> dict:
    """One cold run in a fresh HOME, then ``warm_runs`` more in the same HOME (median)."""
    user = make_user()
    cold = one_run(user, "cold")
    print(f"{name}, cold: {cold}", flush=True)
    walls = []
    for attempt in range(warm_runs):
        warm = one_run(user, f"warm{attempt}")
        walls.append(warm["wall_s"])
    print(f"{name}, warm runs: {', '.join(f'{w:.1f}' for w in walls)} s", flush=True)
    return {"name": name, "cold": cold, "warm": warm, "warm_s": float(np.median(walls)),
            "warm_cpu_s": warm["cpu_s"]}


def importtime(python: Path, env: dict[str, str]) -> list[tuple[float, str]]:
    """The slowest imports of ``noomarketing --help`` (cumulative ms, module)."""
    done = subprocess.run(
        [str(python), "-X", "importtime", "-m", "noomarketing.cli", "--help"],
        capture_output=True, text=True, env=child_env(**env), check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1000, parts[2].rstrip()))
    return sorted(rows, reverse=True)[:6]


def print_table(rows: list[dict], bertopic: dict) -> None:
    print(f"\n{'run':44} {'cold s':>7} {'cpu s':>6} {'× BERTopic':>10} {'warm s':>7} "
          f"{'cpu s':>6} {'NMI dept':>8} {'groups':>6} {'unassigned':>10} {'peak RSS MB':>11}")
    for row in rows:
        cold = row["cold"]
        warm = (f"{row['warm_s']:7.1f} {row['warm_cpu_s']:6.1f}" if row.get("warm_s") is not None
                else f"{'-':>7} {'-':>6}")
        ratio = (f"{cold['wall_s'] / bertopic['wall_s']:.2f} "
                 f"({cold['cpu_s'] / bertopic['cpu_s']:.2f})")
        print(f"{row['name']:44} {cold['wall_s']:7.1f} {cold['cpu_s']:6.1f} {ratio:>10} {warm} "
              f"{cold['nmi']:8.3f} {cold['groups']:6d} {cold['unassigned']:10.1%} "
              f"{cold['rss_mb']:11.0f}")
    print("× BERTopic: wall-time ratio (CPU-time ratio)")


def demo_rows(
    work: Path, warmed: Path, unwarmed: Path, warm_runs: int, first_ever: bool
) -> list[str]:
    """``make demo``'s command on the bundled example: cold, warm, first ever."""
    lines = []
    runs = [("warmed environment", warmed), ("first ever (never warmed)", unwarmed)]
    for label, python in runs[: 2 if first_ever else 1]:
        user = User(python, work / f"home-demo-{len(lines)}")
        cold = user.cli("run", *DEMO, "--out", str(work / f"demo-{len(lines)}"))
        warm = [user.cli("run", *DEMO, "--out", str(work / f"demo-w{i}")) for i in range(warm_runs)]
        lines.append(f"demo ({label}): cold {cold.wall_s:.1f} s ({cold.cpu_s:.1f} s CPU), warm "
                     f"median {np.median([w.wall_s for w in warm]):.1f} s "
                     f"({', '.join(f'{w.wall_s:.1f} s / {w.cpu_s:.1f} s CPU' for w in warm)}), "
                     f"peak RSS {cold.peak_rss_mb:.0f} MB")
        print(lines[-1], flush=True)
        if warm_runs == 0:
            break
        warm_runs = 1  # the never-warmed environment is warm after its first run anyway
    return lines


def cli_speed(python: Path, home: Path) -> list[str]:
    user = User(python, home)
    runs = [user.cli("--help") for _ in range(5)]
    helps = [run.wall_s for run in runs]
    errors = []
    for _ in range(5):
        start = time.perf_counter()
        done = subprocess.run([str(python), "-m", "noomarketing.cli", "segment"],
                              capture_output=True, env=child_env(**user.env()), check=False)
        errors.append(time.perf_counter() - start)
        assert done.returncode == 2, done.stderr
    lines = [f"noomarketing --help: median {np.median(helps):.2f} s (min {min(helps):.2f}, "
             f"CPU {np.median([run.cpu_s for run in runs]):.2f} s); "
             f"argument error: median {np.median(errors):.2f} s (min {min(errors):.2f})",
             "slowest imports of --help (cumulative ms): " + ", ".join(
                 f"{name.strip()} {ms:.0f}" for ms, name in importtime(python, user.env()))]
    for line in lines:
        print(line, flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="reviews (seeded sample)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warm-runs", type=int, default=2, help="warm runs per row (median)")
    parser.add_argument("--skip", action="append", default=[],
                        help="leave out a row: bertopic, torch, demo, first-ever")
    parser.add_argument("--warmed-env", default=None,
                        help="a venv made like this script's (see make_environment) where "
                        "`noomarketing warmup` already ran: skips the warm-up")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "bertopic":
        bertopic_child(args.csv, args.out, args.seed)
        return

    frame = clothing_sample(args.n, args.seed)
    truth = frame["Department Name"]
    print(machine_note(), flush=True)
    print(f"{len(frame)} clothing reviews (seed {args.seed}); {load_note()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="nm-end-to-end-"))
    try:
        unwarmed = make_environment(work / "env-never-warmed")
        if args.warmed_env:
            warmed = Path(args.warmed_env) / "bin" / "python"
            print(f"environment warmed before: {warmed}", flush=True)
        else:
            warmed = make_environment(work / "env-warmed")
            start = time.perf_counter()
            warmup = run_fresh([str(warmed), "-m", "noomarketing.cli", "warmup"],
                               **User(warmed, work / "home-install").env())
            print(f"install-time `noomarketing warmup`: {time.perf_counter() - start:.1f} s\n"
                  f"{warmup.output.strip()}", flush=True)
        csv = str(work / "reviews.csv")
        frame[[TEXT, "Department Name"]].to_csv(csv, index=False)
        counter = iter(range(1000))

        def user_in(python: Path):
            return lambda: User(python, work / f"home-{next(counter)}")

        def ours(*options: str):
            return lambda user, tag: segment_row(
                user, csv, user.home / f"out-{tag}", truth, *options)

        rows = []
        if "bertopic" not in args.skip:
            run = run_fresh([sys.executable, __file__, "--child", "bertopic", "--csv", csv,
                             "--out", str(work / "bertopic.npy"), "--seed", str(args.seed)])
            topics = np.load(work / "bertopic.npy")
            rows.append({"name": "BERTopic 0.17, torch MiniLM", "warm_s": None, "cold": {
                "wall_s": run.wall_s, "cpu_s": run.cpu_s, "rss_mb": run.peak_rss_mb,
                "nmi": nmi(truth, topics),
                "groups": len(set(topics.tolist()) - {-1}),
                "unassigned": float(np.mean(topics == -1))}})
            print(rows[-1], flush=True)
        rows.append(cold_and_warm("ours, default (`noomarketing segment`)", user_in(warmed),
                                  args.warm_runs, ours()))
        if "first-ever" not in args.skip:
            first = ours()(User(unwarmed, work / "home-first"), "first")
            rows.append({"name": "ours, default, first ever (never warmed)", "cold": first,
                         "warm_s": None})
            print(rows[-1], flush=True)
        if "torch" not in args.skip:
            rows.append(cold_and_warm("ours, torch (`--embedding torch`)", user_in(warmed),
                                      args.warm_runs, ours("--embedding", "torch")))
        lines = [] if "demo" in args.skip else demo_rows(
            work, warmed, unwarmed, args.warm_runs, "first-ever" not in args.skip)
        lines += cli_speed(warmed, work / "home-cli")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    nan = {"wall_s": float("nan"), "cpu_s": float("nan")}
    bertopic = rows[0]["cold"] if "bertopic" not in args.skip else nan
    bertopic_s = bertopic["wall_s"]
    print_table(rows, bertopic)
    for row in rows:
        if "stages" in row["cold"]:
            stages = ", ".join(f"{k} {v:.1f}" for k, v in row["cold"]["stages"].items())
            print(f"  {row['name']}: cold stages {stages}; embedding {row['cold']['embedding']}")
    default = rows[1 if "bertopic" not in args.skip else 0]
    torch_row = next((r for r in rows if "torch" in r["name"] and "ours" in r["name"]), None)
    nmi_gap = ("" if torch_row is None else
               f"; NMI default − torch = "
               f"{default['cold']['nmi'] - torch_row['cold']['nmi']:+.3f} (≥ −0.01)")
    print(f"\ntarget 1: default cold / BERTopic = {default['cold']['wall_s'] / bertopic_s:.2f} "
          f"wall, {default['cold']['cpu_s'] / bertopic['cpu_s']:.2f} CPU (≤ 0.5){nmi_gap}")
    print(f"target 6: warm re-run of {len(frame)} reviews {default['warm_s']:.1f} s (≤ 15 s)")
    for line in lines:
        print(line)
    print(load_note())


if __name__ == "__main__":
    main()
