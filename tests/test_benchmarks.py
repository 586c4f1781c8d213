"""The benchmark scripts stay runnable: they parse their arguments, read data from where they are
told, and the README only names scripts that exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
SCRIPTS = sorted(p for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))
sys.path.insert(0, str(BENCHMARKS))

from _perf import TEXT, clothing_sample  # noqa: E402


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_each_script_explains_its_arguments(script: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("usage:")


def test_scripts_take_their_data_folder_as_an_argument() -> None:
    for script in [*SCRIPTS, BENCHMARKS / "_perf.py"]:
        assert not re.search(r"""["']/(work|home|root|tmp)/""", script.read_text()), script.name


def test_clothing_sample_reads_the_folder_it_is_given(tmp_path: Path) -> None:
    frame = pd.DataFrame({TEXT: ["fits well", "", None, "too small", "lovely colour"],
                          "Class Name": ["Dresses", "Knits", "Knits", "Dresses", None]})
    frame.to_csv(tmp_path / "clothing_reviews.csv.gz", index=False)
    everything = clothing_sample(data=tmp_path)
    assert everything[TEXT].tolist() == ["fits well", "too small", "lovely colour"]
    sample = clothing_sample(2, seed=0, data=tmp_path / "clothing_reviews.csv.gz")
    assert len(sample) == 2 and set(sample[TEXT]) <= set(everything[TEXT])
    with pytest.raises(SystemExit, match="pass --data"):
        clothing_sample(data=tmp_path / "elsewhere")


def test_readme_names_only_scripts_that_exist() -> None:
    named = set(re.findall(r"benchmarks/(\w+\.py)", (BENCHMARKS / "README.md").read_text()))
    assert named, "the README shows the command of each figure"
    assert named <= {p.name for p in SCRIPTS}
