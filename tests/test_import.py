"""Importing noomarketing is cheap and leaves the process as it was: logging, the environment,
numba and the Hugging Face settings are the user's, before and after embedding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import noomarketing as nm

SRC = str(Path(__file__).resolve().parent.parent / "src")

SIDE_EFFECTS = r"""
import json, logging, os, sys
import numba
from transformers.utils import logging as hf_logging

def state():
    return {
        "logging_disable": logging.root.manager.disable,
        "environ": dict(os.environ),
        "njit": id(numba.njit),
        "jit": id(numba.jit),
        "hf_verbosity": hf_logging.get_verbosity(),
        "hf_progress": hf_logging.is_progress_bar_enabled(),
    }

before = state()
import noomarketing as nm
from noomarketing._numba import import_umap
from noomarketing.embedding import OnnxEmbedder, SentenceTransformerEmbedder

after_import = state()
shapes = [
    SentenceTransformerEmbedder(progress=False).encode(["late parcel"]).shape,
    OnnxEmbedder(cache_dir=sys.argv[1], progress=False).encode(["late parcel", "rude"]).shape,
]
import_umap(sys.argv[2])
print(json.dumps({"before": before, "after_import": after_import, "after_use": state(),
                  "shapes": shapes}))
"""


def _child(code: str, *args: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, env.get("PYTHONPATH")]))
    env.pop("NUMBA_CACHE_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_import_and_embedding_leave_logging_environment_and_numba_alone(
    onnx_embedder, model_store, tmp_path
):
    result = json.loads(_child(SIDE_EFFECTS, model_store, str(tmp_path / "numba")).splitlines()[-1])
    before = result["before"]
    assert result["shapes"] == [[1, 384], [2, 384]]
    for when in ("after_import", "after_use"):
        state = result[when]
        assert state["logging_disable"] == before["logging_disable"], when
        assert state["njit"] == before["njit"] and state["jit"] == before["jit"], when
        assert state["hf_verbosity"] == before["hf_verbosity"], when
        assert state["hf_progress"] == before["hf_progress"], when
        added = set(state["environ"]) - set(before["environ"])
        changed = {k for k in before["environ"] if state["environ"].get(k) != before["environ"][k]}
        assert not added and not changed, (when, added, changed)


def test_import_loads_no_heavy_library():
    code = (
        "import sys, noomarketing, noomarketing.cli, noomarketing.schema\n"
        "print(' '.join(m for m in ('torch', 'umap', 'sklearn', 'pandas', 'scipy', "
        "'transformers', 'numba') if m in sys.modules))"
    )
    assert _child(code).strip() == ""


def test_public_names_resolve_lazily_to_the_same_objects():
    from noomarketing.segmentation import SegmentModel

    assert nm.SegmentModel is SegmentModel
    assert all(hasattr(nm, name) for name in nm.__all__)
    assert set(nm.__all__) <= set(dir(nm))
    assert nm.embedding.normalize_rows is not None  # submodules work as attributes
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = nm.nothing_here


def test_help_and_argument_errors_need_no_heavy_import():
    code = (
        "import sys\n"
        "from noomarketing.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as stop:\n"
        "    print(stop.code, 'torch' in sys.modules, 'pandas' in sys.modules)\n"
    )
    assert _child(code, "--help").split()[-3:] == ["0", "False", "False"]
    assert _child(code, "segment").split()[-3:] == ["2", "False", "False"]


def test_numba_cache_is_the_warmed_environment_else_the_users(monkeypatch, tmp_path):
    from noomarketing import _numba

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert _numba.numba_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("NOOMARKETING_CACHE", str(tmp_path / "user"))
    environment = tmp_path / "env"
    monkeypatch.setattr(_numba, "environment_cache_dir", lambda: environment)
    assert _numba.numba_cache_dir() == tmp_path / "user" / "numba"  # not warmed: the user's
    (environment / "numba" / "umap_0123").mkdir(parents=True)
    (environment / "numba" / "umap_0123" / "layouts.f-1.py311.nbi").write_bytes(b"")
    assert _numba.numba_cache_dir() == environment / "numba"


def test_kernels_compiled_at_import_are_cached_and_njit_is_restored(monkeypatch, tmp_path):
    import numba
    from numba.core.caching import NullCache

    from noomarketing import _numba

    package = tmp_path / "kernelpkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import numba\n\n"
        "@numba.njit('i8(i8)')\ndef signed(x):\n    return x + 1\n\n"
        "@numba.njit\ndef lazy(x):\n    return x + 2\n"
    )
    (tmp_path / "otherpkg.py").write_text(
        "import numba\n\n@numba.njit('i8(i8)')\ndef signed(x):\n    return x + 3\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    original = numba.njit
    with _numba.numba_cache_setting(tmp_path / "cache"), _numba.eager_kernels_cached(
        ("kernelpkg",)
    ):
        import kernelpkg
        import otherpkg
    assert numba.njit is original
    assert not isinstance(kernelpkg.signed._cache, NullCache)  # compiled at import, cached
    assert isinstance(kernelpkg.lazy._cache, NullCache)  # compiled later: _enable_caching's
    assert isinstance(otherpkg.signed._cache, NullCache)  # another package: left alone
    assert kernelpkg.signed(1) == 2 and otherpkg.signed(1) == 4
    assert any((tmp_path / "cache").rglob("*.nbi"))
