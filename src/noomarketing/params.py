"""One-line checks of parameter values, each naming the parameter and the value it got."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from noomarketing.schema import NoomarketingError


def check_choice(name: str, value: Any, allowed: Sequence[Any]) -> None:
    """``value`` is one of ``allowed``.

    >>> check_choice("outliers", "drop", ("nearest", "keep"))
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: outliers must be 'nearest' or 'keep', not 'drop'
    """
    if not any(value is option or value == option for option in allowed):
        names = [repr(option) for option in allowed]
        listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
        raise NoomarketingError(f"{name} must be {listed}, not {value!r}")


def check_int(
    name: str, value: Any, low: int, high: int | None = None, *, optional: bool = False
) -> None:
    """``value`` is an integer from ``low`` (to ``high``), or None when ``optional``.

    >>> check_int("random_state", -1, 0, 2**32 - 1, optional=True)
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: random_state must be None or an integer \
from 0 to 4294967295, not -1
    """
    if value is None and optional:
        return
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok and value >= low and (high is None or value <= high):
        return
    span = f"≥ {low}" if high is None else f"from {low} to {high}"
    none = "None or " if optional else ""
    raise NoomarketingError(f"{name} must be {none}an integer {span}, not {value!r}")


def check_number(name: str, value: Any, low: float, high: float) -> None:
    """``value`` is a real number from ``low`` to ``high``.

    >>> check_number("min_dist", 2, 0.0, 1.0)
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: min_dist must be a number from 0.0 to 1.0, not 2
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (ok and low <= value <= high):
        raise NoomarketingError(f"{name} must be a number from {low} to {high}, not {value!r}")


def check_flag(name: str, value: Any, *, optional: bool = False) -> None:
    """``value`` is True or False (or None when ``optional``).

    >>> check_flag("use_cache", "yes")
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: use_cache must be True or False, not 'yes'
    """
    if isinstance(value, bool) or (optional and value is None):
        return
    none = "None, " if optional else ""
    raise NoomarketingError(f"{name} must be {none}True or False, not {value!r}")


def check_object(name: str, value: Any, method: str, *, paths: bool = False) -> None:
    """``value`` is None, an object with ``method`` or, when ``paths``, a name or folder.

    >>> check_object("clusterer", 3, "fit_predict")
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: clusterer must be None or an object with \
fit_predict(), not 3
    """
    if value is None or callable(getattr(value, method, None)):
        return
    if paths and isinstance(value, str | Path):
        return
    names = "None, a name, a folder" if paths else "None"
    raise NoomarketingError(
        f"{name} must be {names} or an object with {method}(), not {value!r:.60}"
    )


MAX_SEED = 2**32 - 1
"""The largest ``random_state`` numpy, UMAP and HDBSCAN accept."""


def check_segment_params(model: Any) -> None:
    """Every parameter of a :class:`~noomarketing.segmentation.SegmentModel`, in one place.

    >>> from noomarketing.segmentation import SegmentModel
    >>> check_segment_params(SegmentModel(min_cluster_size=1))
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: min_cluster_size must be None or an integer ≥ 2, not 1
    """
    check_object("embedding", model.embedding, "encode", paths=True)
    check_object("reducer", model.reducer, "fit_transform")
    check_object("clusterer", model.clusterer, "fit_predict")
    check_choice("strategy", model.strategy, ("auto", "clusters", "per_customer"))
    check_int("min_texts", model.min_texts, 1)
    check_int("min_cluster_size", model.min_cluster_size, 2, optional=True)
    check_int("min_samples", model.min_samples, 1, optional=True)
    check_int("n_neighbors", model.n_neighbors, 2, optional=True)
    check_int("n_components", model.n_components, 1)
    check_number("min_dist", model.min_dist, 0.0, 1.0)
    check_int("n_epochs", model.n_epochs, 1, optional=True)
    check_choice("outliers", model.outliers, ("vote", "nearest", "keep"))
    check_number("outlier_threshold", model.outlier_threshold, -1.0, 1.0)
    check_choice("language", model.language, ("auto", "off", None))
    if model.cache_dir is not None and not isinstance(model.cache_dir, str | Path):
        raise NoomarketingError(f"cache_dir must be None or a folder, not {model.cache_dir!r}")
    check_flag("use_cache", model.use_cache)
    check_flag("progress", model.progress, optional=True)
    check_int("random_state", model.random_state, 0, MAX_SEED, optional=True)
    check_int("fit_sample_size", model.fit_sample_size, 1, optional=True)
    if model.fit_sample_size is not None and model.fit_sample_size < model.min_texts:
        raise NoomarketingError(
            f"fit_sample_size must be None or at least min_texts={model.min_texts}, "
            f"not {model.fit_sample_size}"
        )
