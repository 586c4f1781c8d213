"""Several seeds' UMAP layouts side by side: a space whose segments depend less on the seed.

One UMAP layout is one draw: its stochastic optimisation places the texts between themes a
little differently on every seed, and HDBSCAN's cluster tree can then keep or split a branch.
:class:`LayoutEnsemble` is a reducer that runs another reducer with ``runs`` seeds drawn from
one ``random_state`` and puts the layouts side by side, each centred and scaled to the same
spread. Euclidean distance in that space is the root of the summed squared distances of the
layouts, so two texts are close only when most layouts place them close: what one seed made
up averages out. It costs ``runs`` layouts; ``benchmarks/stability.py`` prints what it buys.

    >>> import noomarketing as nm
    >>> model = nm.SegmentModel(reducer=LayoutEnsemble(  # doctest: +SKIP
    ...     lambda seed, vectors: nm.SegmentModel(random_state=seed)._default_reducer(vectors),
    ...     random_state=0, runs=3))
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from noomarketing.schema import NoomarketingError

logger = logging.getLogger(__name__)


def run_seeds(random_state: int | None, runs: int) -> list[int | None]:
    """The random states of ``runs`` layouts, drawn from ``random_state`` (``None``: unseeded).

    The first is ``random_state`` itself, so one run is the single-seed reducer.

    >>> run_seeds(0, 3)[0], len(set(run_seeds(0, 3))), run_seeds(None, 2)
    (0, 3, [None, None])
    """
    if random_state is None:
        return [None] * runs
    rest = np.random.default_rng(random_state).integers(0, 2**31 - 1, size=max(0, runs - 1))
    return [random_state, *(int(s) for s in rest)]


class LayoutEnsemble:
    """A reducer made of ``runs`` reducers with different seeds, their layouts side by side.

    Args:
        make_reducer: ``make_reducer(seed, vectors)`` builds one reducer (an object with
            ``fit_transform``) for a seed and the vectors it will reduce.
        random_state: seed from which the runs' seeds are drawn (:func:`run_seeds`).
        runs: how many layouts; 1 is the plain reducer.

    After :meth:`fit_transform`: ``reducers_`` (the fitted reducers) and ``seeds_``.

    Example:
        >>> from sklearn.decomposition import PCA
        >>> vectors = np.random.default_rng(0).normal(size=(40, 6))
        >>> ensemble = LayoutEnsemble(lambda seed, v: PCA(2, random_state=seed), 0, runs=3)
        >>> ensemble.fit_transform(vectors).shape
        (40, 6)
    """

    def __init__(
        self,
        make_reducer: Callable[[int | None, np.ndarray], Any],
        random_state: int | None = 0,
        runs: int = 3,
    ) -> None:
        self.make_reducer = make_reducer
        self.random_state = random_state
        self.runs = runs

    def fit_transform(self, vectors: np.ndarray, y: Any = None) -> np.ndarray:
        """The layouts of ``vectors``, each centred and scaled to unit spread, side by side."""
        if not isinstance(self.runs, int) or self.runs < 1:
            raise NoomarketingError(f"runs must be an integer ≥ 1, not {self.runs!r}")
        self.seeds_ = run_seeds(self.random_state, self.runs)
        self.reducers_ = [self.make_reducer(seed, vectors) for seed in self.seeds_]
        layouts = []
        for seed, reducer in zip(self.seeds_, self.reducers_, strict=True):
            logger.debug("layout with seed %s", seed)
            layout = np.asarray(reducer.fit_transform(vectors), dtype=np.float64)
            layout -= layout.mean(axis=0)
            spread = float(np.sqrt((layout**2).sum(axis=1).mean())) or 1.0
            layouts.append(layout / spread)
        return np.hstack(layouts).astype(np.float32)
