"""On-disk embedding cache: a re-run over the same texts does not re-embed them.

One SQLite file per cache folder; rows are keyed by (model name, SHA-1 of the text) and hold the
float32 vector as bytes. SQLite gives atomic writes and safe concurrent readers for free.

The cache holds :data:`MAX_CACHED_VECTORS` vectors at most: when new ones take it past that,
those stored longest ago are removed (first in, first out; a read does not count as a use, so
a warm re-run writes nothing). SQLite reuses the freed pages, so the file stops growing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np

from noomarketing.embedding.base import Embedder, embedder_name, normalize_rows

logger = logging.getLogger(__name__)

MAX_CACHED_VECTORS = 1_000_000
"""What one cache file keeps: a million vectors is about 1.6 GB at 384 dimensions, enough for
a warm re-run of a million rows."""


def default_cache_dir() -> Path:
    """``$NOOMARKETING_CACHE`` or ``~/.cache/noomarketing``."""
    env = os.environ.get("NOOMARKETING_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "noomarketing"


def environment_cache_dir() -> Path:
    """The Python environment's own noomarketing folder: ``<sys.prefix>/var/cache/noomarketing``.

    ``noomarketing warmup`` (run by ``make install``) puts what is built once per
    environment there (the int8 ONNX model, UMAP's compiled code), so every user of the
    environment finds it, whatever their ``HOME`` or ``$NOOMARKETING_CACHE``.

    >>> environment_cache_dir().parts[-3:]
    ('var', 'cache', 'noomarketing')
    """
    return Path(sys.prefix) / "var" / "cache" / "noomarketing"


def open_cache(cache_dir: str | Path | None = None) -> sqlite3.Connection:
    """The cache's SQLite file (WAL) in ``cache_dir`` or :func:`default_cache_dir`."""
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "embeddings.sqlite3", timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def text_key(text: str) -> bytes:
    """The cache key of a text: its SHA-1."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


def chunks(items: list, size: int = 900) -> Iterator[list]:
    """Pieces of ``items`` small enough for one SQLite ``IN (...)`` (≤ 999 parameters)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CachedEmbedder:
    """Wrap an embedder so vectors already computed are read from disk.

    Texts are de-duplicated before embedding, so ten identical texts cost one forward pass.

    Example:
        >>> import tempfile
        >>> from noomarketing.embedding import SentenceTransformerEmbedder
        >>> emb = CachedEmbedder(SentenceTransformerEmbedder(), cache_dir=tempfile.mkdtemp())
        >>> emb.encode(["hello", "hello"]).shape
        (2, 384)
    """

    def __init__(
        self,
        embedder: Embedder,
        cache_dir: str | Path | None = None,
        max_vectors: int = MAX_CACHED_VECTORS,
    ) -> None:
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.max_vectors = max_vectors
        self.hits_ = 0
        self.misses_ = 0
        self.removed_ = 0
        self._stored: int | None = None  # rows in the file, counted once, then kept up to date

    @property
    def name(self) -> str | None:
        return embedder_name(self.embedder)

    def get_config(self) -> dict:
        inner = getattr(self.embedder, "get_config", None)
        return inner() if callable(inner) else {"type": type(self.embedder).__name__}

    def _connect(self) -> sqlite3.Connection:
        conn = open_cache(self.cache_dir)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key BLOB, dim INTEGER, vec BLOB,"
            " PRIMARY KEY (model, key))"
        )
        return conn

    def encode(self, texts: list[str]) -> np.ndarray:
        name = self.name
        unique = list(dict.fromkeys(texts))
        if name is None:  # nothing identifies the model: embed without caching
            found = dict(zip(unique, normalize_rows(self.embedder.encode(unique)), strict=True))
            return np.stack([found[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)
        keys = {t: text_key(t) for t in unique}
        found: dict[str, np.ndarray] = {}
        with closing(self._connect()) as conn:
            by_key = {k: t for t, k in keys.items()}
            for part in chunks(list(by_key)):
                marks = ",".join("?" * len(part))
                rows = conn.execute(
                    f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})",
                    [name, *part],
                )
                for key, blob in rows:
                    found[by_key[bytes(key)]] = np.frombuffer(blob, dtype=np.float32)
            todo = [t for t in unique if t not in found]
            self.hits_ += len(unique) - len(todo)
            self.misses_ += len(todo)
            if todo:
                fresh = normalize_rows(self.embedder.encode(todo))
                with conn:
                    newest = conn.execute("SELECT MAX(rowid) FROM vectors").fetchone()[0] or 0
                    conn.executemany(
                        "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)",
                        [
                            (name, keys[t], v.shape[0], v.astype(np.float32).tobytes())
                            for t, v in zip(todo, fresh, strict=True)
                        ],
                    )
                    self._bound(conn, newest, len(todo))
                found.update(zip(todo, fresh, strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)

    def _bound(self, conn: sqlite3.Connection, newest: int, added: int) -> None:
        """Remove the vectors stored longest ago while the file holds over ``max_vectors``;
        never those of this call (rowids above ``newest``). The rows are counted on the first
        call only (a scan of the key index), then followed by what this object adds and
        removes: another process writing to the same file can move the bound a little."""
        if self._stored is None:
            self._stored = conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        else:
            self._stored += added
        excess = self._stored - self.max_vectors
        if excess <= 0:
            return
        removed = conn.execute(
            "DELETE FROM vectors WHERE rowid IN"
            " (SELECT rowid FROM vectors WHERE rowid <= ? ORDER BY rowid LIMIT ?)",
            (newest, excess),
        ).rowcount
        self.removed_ += removed
        self._stored -= removed
        logger.info(
            "removed %d cached vectors stored longest ago (the cache keeps %d at most)",
            removed,
            self.max_vectors,
        )
