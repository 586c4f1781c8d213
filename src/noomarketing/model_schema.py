"""What a saved :class:`~noomarketing.segmentation.SegmentModel` folder may hold, checked before
anything is built from it.

A saved model is a file passed between people: ``config.json`` is validated against a strict
schema (types, ranges, no unknown keys) and ``arrays.safetensors`` against the config (names,
shapes, dtypes, finite values, label ranges). Every problem is one
:class:`~noomarketing.schema.NoomarketingError` naming the file and the key. Nothing in the
folder is executed: JSON and safetensors only, no pickle. Paths written in the config cannot
lead outside the folder: a model path must lie inside it, and the cache folders of the saving
machine are not used (the loading side's ``cache_dir`` is).
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from noomarketing.schema import NoomarketingError

FORMAT_VERSION = 1

Count = Annotated[int, Field(ge=1)]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Name = Annotated[str, Field(max_length=4096)]

ARRAYS = {
    "centroids": 2, "segment_ids": 1, "labels": 1, "cluster_labels": 1, "segment_sizes": 1,
}
"""The arrays every saved model holds, with their number of dimensions."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SavedParams(_Strict):
    """The constructor keywords kept in ``config.json`` (objects are never saved)."""

    embedding: Name | None = None
    reducer: None = None
    clusterer: None = None
    strategy: Literal["auto", "clusters", "per_customer"] = "auto"
    min_texts: Count = 50
    min_cluster_size: Annotated[int, Field(ge=2)] | None = None
    min_samples: Count | None = None
    n_neighbors: Annotated[int, Field(ge=2)] | None = None
    n_components: Count = 5
    min_dist: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] = 0.0
    n_epochs: Count | None = None
    outliers: Literal["vote", "nearest", "keep"] = "vote"
    outlier_threshold: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)] = 0.3
    language: Literal["auto", "off"] | None = "auto"
    cache_dir: Name | None = None
    use_cache: bool = True
    progress: bool | None = None
    random_state: Seed | None = 0
    fit_sample_size: Count | None = 50_000


class SavedEmbedder(_Strict):
    """An embedder's ``get_config()``: its ``type`` and the keywords that rebuild it."""

    type: Annotated[str, Field(max_length=200)]
    model: Name | None = None
    batch_size: Count | None = None
    max_chars: Count | None = None
    max_tokens: Count | None = None
    threads: Count | None = None
    denoise_numbers: bool | None = None
    pca_dims: Count | None = None
    cache_dir: Name | None = None


class SavedLanguageMix(_Strict):
    counts: dict[str, Annotated[int, Field(ge=0)]]
    n_texts: Annotated[int, Field(ge=0)]


class SavedConfig(_Strict):
    """The whole ``config.json`` of a saved model."""

    format_version: Literal[1]
    noomarketing_version: Name
    params: SavedParams
    embedder: SavedEmbedder | None = None
    embedder_name: Name | None = None
    custom_embedding: bool = False
    strategy_: Literal["clusters", "per_customer", "per_text"]
    strategy_reason_: str
    unassigned_share_: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    customer_segments_: dict[str, Annotated[int, Field(ge=0)]]
    embedding_choice_: str = ""
    fingerprint_: Annotated[str, Field(max_length=200)] | None = None
    language_mix_: dict[str, Any] | None = None
    language_codes: list[Annotated[str, Field(max_length=20)]] | None = None
    languages_: list[str | None] | None = None
    batches_: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = None
    gone_segments_: list[Annotated[int, Field(ge=0)]] = Field(default_factory=list)


def read_config(folder: Path) -> SavedConfig:
    """``folder/config.json`` validated; any problem is one line naming the file and key.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "config.json").write_text('{"format_version": 1, "params": {"bogus": 1}}')
    >>> try:
    ...     read_config(folder)
    ... except NoomarketingError as exc:
    ...     print(str(exc).split("config.json: ")[1])
    key 'noomarketing_version': Field required
    """
    path = folder / "config.json"
    if not path.is_file():
        raise NoomarketingError(f"no saved SegmentModel in {folder} (config.json missing)")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise NoomarketingError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise NoomarketingError(f"{path}: expected a JSON object, got {type(raw).__name__}")
    if raw.get("format_version") != FORMAT_VERSION:
        raise NoomarketingError(
            f"{folder} holds format {raw.get('format_version')!r}, "
            f"this version reads {FORMAT_VERSION}"
        )
    try:
        config = SavedConfig.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise NoomarketingError(f"{path}: key {key!r}: {error['msg']}") from exc
    _check_paths(config, folder, path)
    return config


def _check_paths(config: SavedConfig, folder: Path, path: Path) -> None:
    """A model path in the config must resolve inside ``folder``."""
    candidates = {"params.embedding": config.params.embedding}
    if config.embedder is not None:
        candidates["embedder.model"] = config.embedder.model
    for key, value in candidates.items():
        if value is None or not _looks_like_path(value):
            continue
        resolved = (folder / Path(value).expanduser()).resolve()
        if not resolved.is_relative_to(folder.resolve()):
            raise NoomarketingError(
                f"{path}: key {key!r}: the path {value!r} lies outside the model folder; "
                "pass embedding= to load this model"
            )


def _looks_like_path(value: str) -> bool:
    return Path(value).is_absolute() or value.startswith(("~", ".")) or ".." in Path(value).parts


def embedder_kwargs(saved: SavedEmbedder, cls: Any, cache_dir: Any, path: Path) -> dict:
    """The keywords that rebuild ``cls`` from ``saved``; unknown ones are refused."""
    kwargs = {k: getattr(saved, k) for k in saved.model_fields_set if k != "type"}
    accepted = inspect.signature(cls).parameters
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise NoomarketingError(
            f"{path}: key 'embedder.{unknown[0]}': not a setting of the {saved.type!r} embedder"
        )
    if "cache_dir" in kwargs:  # never the saving machine's folders
        kwargs["cache_dir"] = cache_dir
    return kwargs


def check_arrays(arrays: dict[str, np.ndarray], config: SavedConfig, path: Path) -> None:
    """The arrays match each other and the config: shapes, finite values, label ranges."""
    for name, ndim in ARRAYS.items():
        if name not in arrays:
            raise NoomarketingError(f"{path}: array {name!r} is missing")
        if arrays[name].ndim != ndim:
            raise NoomarketingError(f"{path}: array {name!r} must have {ndim} dimension(s)")
    centroids, n_rows = arrays["centroids"], len(arrays["labels"])
    n_segments = len(centroids)
    if not np.issubdtype(centroids.dtype, np.floating) or not np.isfinite(centroids).all():
        raise NoomarketingError(f"{path}: array 'centroids' must hold finite floats")
    if "themes" in arrays and arrays["themes"].ndim != 1:
        raise NoomarketingError(f"{path}: array 'themes' must have 1 dimension(s)")
    for name in ("segment_ids", "labels", "cluster_labels", "segment_sizes", "languages",
                 "themes"):
        if name in arrays and not np.issubdtype(arrays[name].dtype, np.integer):
            raise NoomarketingError(f"{path}: array {name!r} must hold integers")
    for name, size in (("segment_ids", n_segments), ("segment_sizes", n_segments),
                       ("cluster_labels", n_rows), ("languages", n_rows),
                       ("themes", n_segments)):
        if name in arrays and len(arrays[name]) != size:
            raise NoomarketingError(f"{path}: array {name!r} has {len(arrays[name])} entries, "
                                    f"expected {size}")
    themes = arrays.get("themes")
    if themes is not None and len(themes) and (themes.min() < -1 or themes.max() >= n_segments):
        raise NoomarketingError(f"{path}: array 'themes' holds themes outside 0..{n_segments}")
    labels = arrays["labels"]
    if n_rows and (labels.min() < -1 or labels.max() >= n_segments):
        raise NoomarketingError(f"{path}: array 'labels' holds segments outside 0..{n_segments}")
    if any(s >= n_segments for s in config.customer_segments_.values()):
        raise NoomarketingError(f"{path.parent / 'config.json'}: key 'customer_segments_': "
                                f"segments outside 0..{n_segments - 1}")
    _check_history(arrays, config, path, n_segments, centroids.shape[1])
    codes = config.language_codes or []
    if "languages" in arrays and len(labels) and arrays["languages"].max(initial=-1) >= len(codes):
        raise NoomarketingError(f"{path}: array 'languages' refers to unknown language codes")


HISTORY = {"batch_counts": 2, "batch_unassigned": 1, "first_batch": 1, "segment_floor": 1,
           "leftovers": 2, "leftover_batches": 1, "reference": 2}
"""The update state's arrays (:mod:`noomarketing.updating`), saved when ``batches_`` is."""


def _check_history(
    arrays: dict[str, np.ndarray], config: SavedConfig, path: Path, n_segments: int, dims: int
) -> None:
    """The update state matches the segments and the batches (models saved before updates
    existed have none: ``batches_`` is absent)."""
    if config.batches_ is None:
        return
    n_batches = len(config.batches_)
    expected = {"batch_counts": (n_batches, n_segments), "batch_unassigned": (n_batches,),
                "first_batch": (n_segments,), "segment_floor": (n_segments,)}
    for name, ndim in HISTORY.items():
        if name not in arrays:
            raise NoomarketingError(f"{path}: array {name!r} is missing")
        array = arrays[name]
        if array.ndim != ndim or not np.isfinite(array).all():
            raise NoomarketingError(f"{path}: array {name!r} must have {ndim} dimension(s) "
                                    "of finite numbers")
        if name in expected and array.shape != expected[name]:
            raise NoomarketingError(f"{path}: array {name!r} has shape {array.shape}, "
                                    f"expected {expected[name]}")
    if arrays["batch_counts"].min(initial=0) < 0 or arrays["batch_unassigned"].min(initial=0) < 0:
        raise NoomarketingError(f"{path}: array 'batch_counts' holds negative counts")
    if not ((arrays["first_batch"] >= -1) & (arrays["first_batch"] < n_batches)).all():
        raise NoomarketingError(f"{path}: array 'first_batch' refers to unknown batches")
    for name in ("leftovers", "reference"):
        if len(arrays[name]) and arrays[name].shape[1] != dims:
            raise NoomarketingError(f"{path}: array {name!r} must have {dims} columns")
    leftovers = arrays["leftovers"]
    if len(arrays["leftover_batches"]) != len(leftovers):
        raise NoomarketingError(f"{path}: arrays 'leftovers' and 'leftover_batches' differ "
                                "in length")
    if any(s >= n_segments for s in config.gone_segments_):
        raise NoomarketingError(f"{path.parent / 'config.json'}: key 'gone_segments_': "
                                f"segments outside 0..{n_segments - 1}")
