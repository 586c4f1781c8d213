"""Embed and assign feedback on a Dask cluster (``dask.distributed``), beyond one machine.

A model fitted on one machine (on a sample: see ``SegmentModel.fit_sample_size``) assigns any
number of texts on a cluster. The model travels as its saved files (``config.json`` and
``arrays.safetensors``, kilobytes) inside each task; each worker process loads it
with :meth:`SegmentModel.load` once and runs :meth:`SegmentModel.predict_batches` over its
partitions: embed, then nearest centroid. The labels come back in input order and equal those
of the single-process path.

Pointing it at a real cluster::

    from dask.distributed import Client
    client = Client("tcp://scheduler-host:8786")   # workers run `dask worker tcp://...:8786`
    labels = assign_with_dask(model, texts_or_bag, client)

Every worker needs ``pip install "noomarketing[fast,dask]"`` (same versions as the client).
The first use of the default (int8 ONNX) embedder on a worker machine builds the model file in
that machine's cache (``$NOOMARKETING_CACHE``, default ``~/.cache/noomarketing``; needs torch,
once); set ``NOOMARKETING_CACHE`` to shared storage to build it once for all. Read big inputs
lazily on the workers with ``dask.bag.read_text(...)`` or a ``dask.dataframe`` column instead of
sending texts from the client.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from noomarketing.persistence import save_model
from noomarketing.schema import NoomarketingError
from noomarketing.segmentation import ASSIGN_BATCH, SegmentModel

_MODEL_FILES = ("config.json", "arrays.safetensors")
_LOADED: dict[str, SegmentModel] = {}  # per worker process: model files digest → model


def model_files(model: SegmentModel | str | Path, embedding: Any = None) -> dict[str, bytes]:
    """What a worker needs of a fitted model (or of a folder written by ``save``), as bytes:
    its saved files without the update state, which only :meth:`SegmentModel.update` reads
    and which can be megabytes (rows kept for the next update)."""
    if isinstance(model, str | Path):
        folder = Path(model)
        missing = [name for name in _MODEL_FILES if not (folder / name).exists()]
        if missing:
            raise NoomarketingError(f"no saved SegmentModel in {folder} ({missing[0]} missing)")
        model = SegmentModel.load(folder, embedding=embedding)
    with tempfile.TemporaryDirectory() as tmp:
        save_model(model, tmp, history=False)
        return {name: (Path(tmp) / name).read_bytes() for name in _MODEL_FILES}


def _digest(files: dict[str, bytes]) -> str:
    sha = hashlib.sha1()
    for name in sorted(files):
        sha.update(name.encode())
        sha.update(files[name])
    return sha.hexdigest()


def _worker_model(digest: str, files: dict[str, bytes], embedding: Any) -> SegmentModel:
    model = _LOADED.get(digest)
    if model is None:
        with tempfile.TemporaryDirectory() as tmp:
            for name, data in files.items():
                (Path(tmp) / name).write_bytes(data)
            model = SegmentModel.load(tmp, embedding=embedding)
        _LOADED[digest] = model
    return model


def assign_partition(
    texts: Any, digest: str, files: dict[str, bytes], embedding: Any = None
) -> np.ndarray:
    """Run on a worker: segment labels of one partition of texts (a list or pandas Series)."""
    model = _worker_model(digest, files, embedding)
    texts = texts.tolist() if hasattr(texts, "tolist") else list(texts)
    parts = list(model.predict_batches(texts, batch_size=ASSIGN_BATCH))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def assign_with_dask(
    model: SegmentModel | str | Path,
    texts: Sequence[str] | Any,
    client: Any,
    *,
    partition_size: int = 10_000,
    embedding: Any = None,
) -> np.ndarray:
    """Segment of every text, computed on the Dask cluster behind ``client``.

    Args:
        model: a fitted :class:`SegmentModel`, or the folder it was saved to.
        texts: a sequence of strings (cut into ``partition_size`` pieces here), or a lazy
            ``dask.bag.Bag`` / ``dask.dataframe`` column of strings (its own partitions).
        client: a ``dask.distributed.Client``.
        embedding: the embedder object, only when the model was fitted with a custom one
            (as for :meth:`SegmentModel.load`); it is sent to the workers.

    Returns the labels in input order (-1 = no segment similar enough), equal to
    ``numpy.concatenate(list(model.predict_batches(texts)))`` in one process.

    Example:
        >>> from dask.distributed import Client, LocalCluster
        >>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
        >>> labels = assign_with_dask(model, texts, client)  # doctest: +SKIP
    """
    if partition_size < 1:
        raise NoomarketingError(f"partition_size must be at least 1, not {partition_size}")
    files = model_files(model, embedding)
    digest = _digest(files)
    # The files (kilobytes; about a megabyte for a model fitted on 50,000 rows) travel inside
    # each task. A broadcast scatter would send them once, but workers then fetch them from
    # each other, which under load failed with "lost dependencies"; a copy per partition is
    # the robust trade.
    if hasattr(texts, "to_delayed"):  # a dask collection: its partitions stay on the cluster
        from dask import delayed

        tasks = [
            delayed(assign_partition)(part, digest, files, embedding)
            for part in texts.to_delayed()
        ]
        futures = client.compute(tasks)
    else:
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise NoomarketingError(
                "texts must be a sequence of strings, a dask Bag or a dask DataFrame column, "
                f"not {type(texts).__name__}"
            )
        chunks = [list(texts[i : i + partition_size]) for i in range(0, len(texts), partition_size)]
        # one value per task, positionally: Dask turns a keyword argument above ~100 KB (the
        # files of a model fitted on 50,000 rows) into a task of its own, which its
        # scheduler then fails to run ("AssertionError: <TaskState 'files' processing>")
        n = len(chunks)
        futures = client.map(
            assign_partition, chunks, [digest] * n, [files] * n, [embedding] * n, pure=False
        )
    parts = client.gather(futures)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
