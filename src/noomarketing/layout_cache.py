"""On-disk cache of UMAP layouts: a re-run on the same vectors at the same settings does not
lay them out again.

Once the vectors are cached, UMAP is the largest cost of a run (10,000 reviews: 14.4 s of CPU
with the layout computed, 6.3 s with it read, which also spares the import of numba,
pynndescent and UMAP), and with a fixed ``random_state`` it gives the same layout for the same
vectors every time. The layout is therefore stored in the noomarketing cache folder
(``layouts/<key>.npz`` beside the embedding cache), keyed by a SHA-256 of the vectors and every
setting that shapes the layout (:func:`layout_key`). A file is used only when it is a plain
``.npz`` (read without pickle) holding a finite float array of the expected shape whose own
SHA-256 matches the one stored beside it; anything else is logged, ignored and recomputed.
Nothing is cached without a ``random_state`` (each run is meant to differ then). The folder
is kept under :data:`MAX_LAYOUT_BYTES`: after each store, the layouts used longest ago are
removed (a read counts as a use), never the one just written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from noomarketing.embedding.cache import default_cache_dir

logger = logging.getLogger(__name__)

LAYOUT_FORMAT = 1
"""Bumped whenever the way a layout is computed changes, so older files are not used."""

MAX_LAYOUT_BYTES = 256 * 2**20
"""What the layouts folder may hold: 256 MB is a few hundred layouts of 10,000 texts (0.2 MB
each) or a dozen of a million (20 MB each)."""


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def layout_key(vectors: np.ndarray, settings: dict[str, Any]) -> str:
    """The cache key of a layout: SHA-256 of the vectors (shape, type and bytes), the reducer's
    ``settings`` and the versions of UMAP and numba.

    >>> a = layout_key(np.eye(3, dtype=np.float32), {"n_components": 2, "random_state": 0})
    >>> b = layout_key(np.eye(3, dtype=np.float32), {"n_components": 2, "random_state": 1})
    >>> len(a), a == b
    (64, False)
    """
    array = np.ascontiguousarray(vectors)
    digest = hashlib.sha256()
    header = {
        "format": LAYOUT_FORMAT,
        "shape": list(array.shape),
        "dtype": array.dtype.str,
        "settings": settings,
        "umap": _version("umap-learn"),
        "numba": _version("numba"),
    }
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


def _path(key: str, cache_dir: str | Path | None) -> Path:
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return folder / "layouts" / f"{key}.npz"


def _checksum(layout: np.ndarray) -> np.ndarray:
    return np.frombuffer(hashlib.sha256(layout.tobytes()).digest(), dtype=np.uint8)


def load_layout(
    key: str, shape: tuple[int, int], cache_dir: str | Path | None = None
) -> np.ndarray | None:
    """The layout stored under ``key`` when it is there and valid, else ``None``.

    An invalid file (unreadable, wrong shape, non-finite values, checksum mismatch) is
    logged at WARNING and ignored; the caller recomputes and :func:`store_layout` replaces it.

    >>> import tempfile
    >>> load_layout("0" * 64, (3, 2), cache_dir=tempfile.mkdtemp()) is None
    True
    """
    path = _path(key, cache_dir)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            layout = np.array(stored["layout"])
            checksum = np.array(stored["sha256"])
        problem = None
        if layout.dtype.kind != "f" or layout.shape != tuple(shape):
            problem = f"a {layout.dtype} array of shape {layout.shape}, expected {tuple(shape)}"
        elif not np.isfinite(layout).all():
            problem = "values that are not finite"
        elif not np.array_equal(checksum, _checksum(np.ascontiguousarray(layout))):
            problem = "a checksum that does not match its values"
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        problem = f"an unreadable file ({type(error).__name__}: {error})"
    if problem is not None:
        logger.warning("ignoring the cached layout %s: %s; computing it again", path, problem)
        return None
    logger.info("layout read from the cache (%s)", path.name)
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the last to be pruned
    return layout


def store_layout(key: str, layout: np.ndarray, cache_dir: str | Path | None = None) -> None:
    """Store ``layout`` under ``key`` (written to a temporary file, then renamed into place, so
    a reader never sees half a file). A folder that cannot be written is logged, not raised.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> store_layout("1" * 64, np.ones((3, 2)), cache_dir=folder)
    >>> load_layout("1" * 64, (3, 2), cache_dir=folder).tolist()
    [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
    """
    path = _path(key, cache_dir)
    layout = np.ascontiguousarray(layout)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".layout-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(file, layout=layout, sha256=_checksum(layout))
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as error:
        logger.warning("could not cache the layout in %s: %s", path.parent, error)
        return
    prune_layouts(path.parent, keep=path)


def prune_layouts(folder: Path, keep: Path | None = None, max_bytes: int = MAX_LAYOUT_BYTES) -> int:
    """Remove the layouts in ``folder`` used longest ago until the rest fit in ``max_bytes``;
    ``keep`` is never removed. Returns how many files were removed.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in "ab":
    ...     store_layout(name * 64, np.ones((100, 2)), cache_dir=folder)
    >>> one = max(f.stat().st_size for f in (folder / "layouts").glob("*.npz"))
    >>> prune_layouts(folder / "layouts", max_bytes=one)
    1
    """
    try:
        stats = [(f.stat(), f) for f in folder.glob("*.npz")]
    except OSError:
        return 0
    files = sorted(((st.st_mtime, st.st_size, f) for st, f in stats), key=lambda entry: entry[0])
    total, removed = sum(size for _, size, _ in files), 0
    for _, size, file in files:
        if total <= max_bytes:
            break
        if file == keep:
            continue
        try:
            file.unlink()
        except OSError:
            continue
        total, removed = total - size, removed + 1
    if removed:
        logger.info(
            "removed %d cached layouts used longest ago (the folder keeps %d MB at most)",
            removed,
            max_bytes // 2**20,
        )
    return removed
