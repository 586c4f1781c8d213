"""Saving a fitted :class:`~noomarketing.segmentation.SegmentModel` to a folder and back.

A folder holds ``config.json`` (parameters and learned facts, as data) and
``arrays.safetensors`` (centroids, labels...). No pickle: a model loads in another process, on
another machine or in another version that reads the same ``FORMAT_VERSION``.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from safetensors.numpy import load_file, save_file

from noomarketing.embedding import embedder_from_config
from noomarketing.embedding_choice import make_embedder
from noomarketing.languages import LanguageMix
from noomarketing.outputs import write_json
from noomarketing.schema import NoomarketingError

if TYPE_CHECKING:
    from noomarketing.segmentation import SegmentModel

FORMAT_VERSION = 1

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


def save_model(model: SegmentModel, path: str | Path) -> Path:
    """Write the fitted ``model`` to the folder ``path``; see :meth:`SegmentModel.save`."""
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


def _read_config(folder: Path) -> dict[str, Any]:
    config_path = folder / "config.json"
    if not config_path.exists():
        raise NoomarketingError(f"no saved SegmentModel in {folder} (config.json missing)")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if config.get("format_version") != FORMAT_VERSION:
        raise NoomarketingError(
            f"{folder} holds format {config.get('format_version')}, "
            f"this version reads {FORMAT_VERSION}"
        )
    return config


def load_model(cls: type[SegmentModel], path: str | Path, embedding: Any = None) -> SegmentModel:
    """Read a model written by :func:`save_model`; see :meth:`SegmentModel.load`."""
    folder = Path(path)
    config = _read_config(folder)
    params = dict(config["params"])
    if embedding is None and config.get("custom_embedding"):
        embedding = embedder_from_config(config.get("embedder"))
    if embedding is not None:
        params["embedding"] = embedding
    elif config.get("custom_embedding"):
        raise NoomarketingError(
            f"the model in {folder} was fitted with a custom embedder "
            f"({config.get('embedder')}); pass the same one as embedding= to load it"
        )
    model = cls(**params)
    arrays = load_file(str(folder / "arrays.safetensors"))
    for name in ARRAYS:
        setattr(model, f"{name}_", arrays[name])
    for name in FACTS:
        setattr(model, name, config[name])
    model.fingerprint_ = config.get("fingerprint_")
    mix = config.get("language_mix_")
    model.language_mix_ = None if mix is None else LanguageMix.model_validate(mix)
    model.languages_ = config.get("languages_")  # files of 0.1 kept them in the JSON
    if "languages" in arrays:
        codes = config["language_codes"]
        model.languages_ = [None if i < 0 else codes[i] for i in arrays["languages"].tolist()]
    model.embedding_choice_ = config.get("embedding_choice_", "")
    chosen = None  # the model language="auto" chose: rebuild it from its saved config
    if params.get("embedding") is None and model.embedding_choice_:
        chosen = embedder_from_config(config.get("embedder"))
    model.embedder_ = make_embedder(
        chosen if chosen is not None else model.embedding,
        progress=model.progress, cache_dir=model.cache_dir, use_cache=model.use_cache,
    )
    saved_name = config.get("embedder_name")
    if saved_name and getattr(model.embedder_, "name", None) != saved_name:
        raise NoomarketingError(
            f"the model was fitted with embedder {saved_name!r}; pass embedding= to load it"
        )
    return model
