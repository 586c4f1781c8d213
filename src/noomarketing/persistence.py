"""Saving a fitted :class:`~noomarketing.segmentation.SegmentModel` to a folder and back.

A folder holds ``config.json`` (parameters and learned facts, as data) and
``arrays.safetensors`` (centroids, labels...). No pickle: a model loads in another process, on
another machine or in another version that reads the same ``FORMAT_VERSION``.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError
from safetensors.numpy import load_file, save_file

from noomarketing.embedding import EMBEDDER_TYPES
from noomarketing.embedding_choice import make_embedder
from noomarketing.languages import LanguageMix
from noomarketing.model_schema import (
    FORMAT_VERSION,
    SavedEmbedder,
    check_arrays,
    embedder_kwargs,
    read_config,
)
from noomarketing.outputs import write_json
from noomarketing.schema import NoomarketingError
from noomarketing.themes import own_themes
from noomarketing.updating import HISTORY_ARRAYS

if TYPE_CHECKING:
    from noomarketing.segmentation import SegmentModel

ARRAYS = ("centroids", "segment_ids", "labels", "cluster_labels", "segment_sizes")
"""The learned arrays saved as they are (``<name>_`` on the model)."""

FACTS = ("strategy_", "strategy_reason_", "unassigned_share_", "customer_segments_")
"""The learned facts saved in ``config.json``."""


def jsonable(value: Any) -> bool:
    """True for parameter values a JSON file keeps (None, text, numbers, paths).

    >>> jsonable(3), jsonable(object())
    (True, False)
    """
    return value is None or isinstance(value, str | int | float | bool | Path)


def save_model(model: SegmentModel, path: str | Path, *, history: bool = True) -> Path:
    """Write the fitted ``model`` to the folder ``path``; see :meth:`SegmentModel.save`.

    ``history=False`` leaves the update state out (the batches and the rows kept for the next
    :meth:`~SegmentModel.update`): what is left assigns texts exactly as the full model does, in
    kilobytes, which is what :mod:`noomarketing.distributed` sends to its workers.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "noomarketing_version": metadata.version("noomarketing"),
        "params": {k: v for k, v in model.get_params(deep=False).items() if jsonable(v)},
        "embedder": getattr(model.embedder_, "get_config", lambda: None)(),
        "embedder_name": getattr(model.embedder_, "name", None),
        "custom_embedding": not jsonable(model.embedding),
        "embedding_choice_": model.embedding_choice_,
        "fingerprint_": model.fingerprint_,
        "language_mix_": None if model.language_mix_ is None else model.language_mix_.model_dump(),
    }
    config.update({name: getattr(model, name) for name in FACTS})
    arrays = {name: np.ascontiguousarray(getattr(model, f"{name}_")) for name in ARRAYS}
    arrays["centroids"] = arrays["centroids"].astype(np.float32)
    arrays["themes"] = np.ascontiguousarray(model.themes_, dtype=np.int64)
    if history:
        config["batches_"] = list(model.batches_)
        config["gone_segments_"] = list(model.gone_segments_)
        arrays.update({name: np.ascontiguousarray(getattr(model, f"{name}_"))
                       for name in HISTORY_ARRAYS})
    if model.languages_ is not None:  # one code per row: an array, not a long JSON list
        codes = sorted({code for code in model.languages_ if code is not None})
        position = {code: i for i, code in enumerate(codes)}
        config["language_codes"] = codes
        arrays["languages"] = np.array(
            [position.get(code, -1) for code in model.languages_], dtype=np.int16
        )
    write_json(folder / "config.json", config)
    save_file(arrays, str(folder / "arrays.safetensors"))
    return folder


def load_model(
    cls: type[SegmentModel],
    path: str | Path,
    embedding: Any = None,
    cache_dir: str | Path | None = None,
) -> SegmentModel:
    """Read a model written by :func:`save_model`; see :meth:`SegmentModel.load`.

    The folder is untrusted input: ``config.json`` and the arrays are validated first
    (:mod:`noomarketing.model_schema`) and any damage is one ``NoomarketingError`` naming the
    file and key. ``cache_dir`` is this machine's embedding cache (the saved one is not used).
    """
    folder = Path(path)
    config = read_config(folder)
    arrays = _read_arrays(folder / "arrays.safetensors")
    check_arrays(arrays, config, folder / "arrays.safetensors")
    params = config.params.model_dump()
    params["cache_dir"] = cache_dir
    saved = config.embedder
    if embedding is None and config.custom_embedding:
        embedding = _saved_embedder(saved, cache_dir, folder)
    if embedding is not None:
        params["embedding"] = embedding
    elif config.custom_embedding:
        raise NoomarketingError(
            f"the model in {folder} was fitted with a custom embedder "
            f"({saved.type if saved else None}); pass the same one as embedding= to load it"
        )
    model = cls(**params)
    model.centroids_ = arrays["centroids"].astype(np.float32)
    for name in ARRAYS[1:]:
        setattr(model, f"{name}_", arrays[name].astype(np.int64))
    for name in FACTS:
        setattr(model, name, getattr(config, name))
    # models saved before themes existed: the rule needs only what they hold
    model.themes_ = (arrays["themes"].astype(np.int64) if "themes" in arrays
                     else own_themes(model.centroids_))
    model.customer_segments_ = dict(config.customer_segments_)
    model.fingerprint_ = config.fingerprint_
    try:
        mix = config.language_mix_
        model.language_mix_ = None if mix is None else LanguageMix.model_validate(mix)
    except ValidationError as exc:
        raise NoomarketingError(
            f"{folder / 'config.json'}: key 'language_mix_': {exc.errors()[0]['msg']}"
        ) from exc
    model.languages_ = config.languages_  # files of 0.1 kept them in the JSON
    if "languages" in arrays:
        codes = config.language_codes or []
        model.languages_ = [None if i < 0 else codes[i] for i in arrays["languages"].tolist()]
    model.embedding_choice_ = config.embedding_choice_
    _restore_history(model, arrays, config)
    chosen = None  # the model language="auto" chose: rebuild it from its saved config
    if params.get("embedding") is None and model.embedding_choice_:
        chosen = _saved_embedder(saved, cache_dir, folder)
    model.embedder_ = make_embedder(
        chosen if chosen is not None else model.embedding,
        progress=model.progress, cache_dir=model.cache_dir, use_cache=model.use_cache,
    )
    saved_name = config.embedder_name
    if saved_name and getattr(model.embedder_, "name", None) != saved_name:
        raise NoomarketingError(
            f"the model was fitted with embedder {saved_name!r}; pass embedding= to load it"
        )
    return model


def _restore_history(model: SegmentModel, arrays: dict[str, np.ndarray], config: Any) -> None:
    """The update state (:mod:`noomarketing.updating`); a model saved without one (before
    updates existed) starts it now, with its fitted data as the first batch."""
    if config.batches_ is None:
        sizes = model.segment_sizes_.astype(np.int64)
        model.batches_, model.gone_segments_ = ["1"], []
        model.batch_counts_ = sizes[None, :]
        model.batch_unassigned_ = np.array([int((model.labels_ < 0).sum())], dtype=np.int64)
        model.first_batch_ = np.where(sizes > 0, 0, -1).astype(np.int64)
        model.segment_floor_ = np.zeros(len(sizes), dtype=np.float32)  # no members kept
        model.leftovers_ = np.zeros((0, model.centroids_.shape[1]), dtype=np.float32)
        model.leftover_batches_ = np.zeros(0, dtype=np.int64)
        model.reference_ = model.leftovers_.copy()  # no earlier rows kept: every group is new
        return
    model.batches_ = list(config.batches_)
    model.gone_segments_ = list(config.gone_segments_)
    for name in HISTORY_ARRAYS:
        kind = np.float32 if name in ("leftovers", "segment_floor", "reference") else np.int64
        setattr(model, f"{name}_", arrays[name].astype(kind))


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The saved arrays; a missing or damaged file is one line naming it."""
    if not path.is_file():
        raise NoomarketingError(f"{path} is missing: the saved model is incomplete")
    try:
        return load_file(str(path))
    except Exception as exc:  # safetensors raises its own SafetensorError on damaged files
        raise NoomarketingError(f"{path}: damaged ({' '.join(str(exc).split())})") from exc


def _saved_embedder(saved: SavedEmbedder | None, cache_dir: Any, folder: Path) -> Any:
    """The embedder a saved config names, or None when its type is not a known one."""
    if saved is None or saved.type not in EMBEDDER_TYPES:
        return None
    cls = EMBEDDER_TYPES[saved.type]
    return cls(**embedder_kwargs(saved, cls, cache_dir, folder / "config.json"))
