"""Session settings for every test and doctest (under tests/ and src/): nothing the suite does
touches the user's files.

At session start, before any test or doctest runs: the embedding/language cache
(``NOOMARKETING_CACHE``), Python's temporary folder (``tempfile.mkdtemp()`` in doctests) and
the home folder (``HOME``, ``XDG_CACHE_HOME``: libraries such as onnxruntime write there) point
into pytest's own temporary folder for this session, for the processes tests start too.
UMAP's compiled numba kernels, which take ~60 s to compile, are kept in pytest's cache folder
(``.pytest_cache``, never the user's cache) unless ``NUMBA_CACHE_DIR`` is set.
"""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pytest_configure(config: pytest.Config) -> None:
    # numba reads NUMBA_CACHE_DIR when it is first imported, which may happen at collection
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    if "NUMBA_CACHE_DIR" not in os.environ and cache is not None:
        os.environ["NUMBA_CACHE_DIR"] = str(cache.mkdir("numba"))


@pytest.fixture(scope="session", autouse=True)
def private_folders(tmp_path_factory: pytest.TempPathFactory):
    """The suite's cache and temporary files live under pytest's session folder."""
    names = ("NOOMARKETING_CACHE", "TMPDIR", "HOME", "XDG_CACHE_HOME")
    saved = {name: os.environ.get(name) for name in names}
    saved_tempdir = tempfile.tempdir
    os.environ["NOOMARKETING_CACHE"] = str(tmp_path_factory.mktemp("noomarketing-cache"))
    home = tmp_path_factory.mktemp("home")
    os.environ["HOME"], os.environ["XDG_CACHE_HOME"] = str(home), str(home / ".cache")
    # TMPDIR for the processes tests start, tempfile.tempdir for this one
    tempfile.tempdir = os.environ["TMPDIR"] = str(tmp_path_factory.mktemp("tmp"))
    yield
    tempfile.tempdir = saved_tempdir
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
