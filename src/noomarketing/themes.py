"""Themes: a coarser level above the segments, sized without being told how many.

Segments are meant to be fine enough to act on (football, tennis and rugby fans apart); a
theme groups the segments that speak of the same broad thing (sport). The segments are merged
two at a time, each time the pair whose merge adds the least spread (Ward's rule, each segment
weighted by its members, on the mean of their unit embeddings), and the merges stop at the
number of themes whose silhouette over the feedback (cosine, each item against its theme and
the nearest other theme) is highest. Leaving every segment its own theme is one of the
candidates, so feedback without broad subjects above its segments keeps them apart. Nothing is
told the number of themes.

Both steps need only each segment's sum of embeddings and member count, and each item's
similarity to those sums, so the silhouette is exact and cheap (at most ``SILHOUETTE_ROWS``
items, a seeded sample above that, smaller with very many segments). After an update, a new
segment joins the theme of the most similar earlier segment (:func:`extend_themes`), so theme
numbers keep their meaning.
"""

from __future__ import annotations

import logging

import numpy as np

from noomarketing.embedding import normalize_rows
from noomarketing.schema import UNASSIGNED

logger = logging.getLogger(__name__)

SILHOUETTE_ROWS = 10_000
"""Items the silhouette is computed on; a seeded sample of this many above it."""

SILHOUETTE_BUDGET = 2.5e9
"""Items × segments² the cuts' silhouettes may cost (a few seconds): with very many segments
the sample shrinks below ``SILHOUETTE_ROWS`` (500 segments: 10,000 items; 1,000: 2,500), never
below 1,000 items."""


def ward_merges(sums: np.ndarray, counts: np.ndarray) -> list[tuple[int, int]]:
    """The order in which Ward's rule merges groups given by their ``sums`` of vectors and
    member ``counts``: pairs of group indices, the merged group keeping the first index.

    >>> sums = np.array([[0.0, 1.0], [0.0, 1.1], [5.0, 0.0]]); counts = np.ones(3)
    >>> ward_merges(sums, counts)
    [(0, 1), (0, 2)]
    """
    means = sums / counts[:, None]
    weights = counts.astype(np.float64).copy()
    alive = np.ones(len(weights), dtype=bool)

    def costs(i: int) -> np.ndarray:
        spread = ((means - means[i]) ** 2).sum(axis=1)
        row = weights * weights[i] / (weights + weights[i]) * spread
        row[~alive] = np.inf
        row[i] = np.inf
        return row

    table = np.vstack([costs(i) for i in range(len(weights))]) if len(weights) else np.zeros((0, 0))
    merges = []
    for _ in range(len(weights) - 1):
        first, second = sorted(np.unravel_index(np.argmin(table), table.shape))
        merges.append((int(first), int(second)))
        total = weights[first] + weights[second]
        means[first] = (weights[first] * means[first] + weights[second] * means[second]) / total
        weights[first] = total
        alive[second] = False
        table[second, :] = table[:, second] = np.inf
        table[first, :] = table[:, first] = costs(first)
    return merges


def _silhouette(dist_sums: np.ndarray, sizes: np.ndarray, own: np.ndarray) -> float:
    """Mean silhouette of items from their summed distances to each group (``own``: the
    item's group); an item alone in its group scores 0."""
    rows = np.arange(len(own))
    own_size = sizes[own] - 1
    a = dist_sums[rows, own] / np.maximum(own_size, 1)
    means = dist_sums / np.maximum(sizes, 1)[None, :]
    means[rows, own] = np.inf
    means[:, sizes == 0] = np.inf
    b = means.min(axis=1)
    scores = np.where(own_size > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(scores.mean())


def find_themes(
    embeddings: np.ndarray, labels: np.ndarray, n_segments: int, random_state: int | None = 0
) -> np.ndarray:
    """Theme of each of ``n_segments`` segments (0 the theme with the most feedback) from the
    unit ``embeddings`` of the items and their segment ``labels`` (-1: none); a segment
    without members gets -1.

    >>> rng = np.random.default_rng(0)
    >>> broad = rng.standard_normal((3, 32)) * 4
    >>> centres = np.repeat(broad, 2, axis=0) + rng.standard_normal((6, 32))
    >>> labels = np.repeat(np.arange(6), 50)
    >>> vectors = centres[labels] + rng.standard_normal((300, 32)) * 0.3
    >>> vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    >>> themes = find_themes(vectors, labels, 6)
    >>> len(set(themes.tolist())), bool((themes[0::2] == themes[1::2]).all())
    (3, True)
    """
    themes = np.full(n_segments, UNASSIGNED, dtype=np.int64)
    member = labels >= 0
    vectors = normalize_rows(np.asarray(embeddings, dtype=np.float64)[member])
    labels = np.asarray(labels, dtype=np.int64)[member]
    counts = np.bincount(labels, minlength=n_segments).astype(np.float64)
    present = np.flatnonzero(counts > 0)
    if len(present) == 0:
        return themes
    position = np.full(n_segments, -1, dtype=np.int64)
    position[present] = np.arange(len(present))
    groups = position[labels]
    sums = np.zeros((len(present), vectors.shape[1]))
    np.add.at(sums, groups, vectors)
    theme_of = np.arange(len(present))  # themes = segments, the first candidate
    if len(present) >= 3:
        theme_of = _best_cut(vectors, groups, sums, counts[present], random_state)
    # Theme 0 has the most feedback; ties go to the theme of the lowest segment.
    mass = np.bincount(theme_of, weights=counts[present])
    order = sorted(np.unique(theme_of), key=lambda t: (-mass[t], int(np.argmax(theme_of == t))))
    rank = {t: i for i, t in enumerate(order)}
    themes[present] = [rank[t] for t in theme_of]
    return themes


def _best_cut(
    vectors: np.ndarray,
    groups: np.ndarray,
    sums: np.ndarray,
    counts: np.ndarray,
    random_state: int | None,
) -> np.ndarray:
    """Group of each segment at the Ward cut with the highest item silhouette."""
    rows = np.arange(len(groups))
    limit = min(SILHOUETTE_ROWS, max(1_000, int(SILHOUETTE_BUDGET / len(counts) ** 2)))
    if len(rows) > limit:
        rows = np.sort(np.random.default_rng(random_state).choice(len(rows), limit, replace=False))
    # cosine distances summed per group are linear in the group's sum of unit vectors
    dist_sums = counts[None, :] - vectors[rows] @ sums.T
    dist_sums[np.arange(len(rows)), groups[rows]] -= 1.0 - (vectors[rows] ** 2).sum(axis=1)
    own, sizes = groups[rows].copy(), counts.copy()
    theme_of = np.arange(len(counts))
    best_cut, best = theme_of.copy(), _silhouette(dist_sums, sizes, own)
    for first, second in ward_merges(sums, counts)[:-1]:  # down to two themes
        dist_sums[:, first] += dist_sums[:, second]
        dist_sums[:, second] = 0.0
        sizes[first] += sizes[second]
        sizes[second] = 0
        own[own == second] = first
        theme_of[theme_of == second] = first
        score = _silhouette(dist_sums, sizes, own)
        if score > best:
            best, best_cut = score, theme_of.copy()
    logger.info(
        "%d theme(s) over %d segments (silhouette %.3f)",
        len(np.unique(best_cut)),
        len(counts),
        best,
    )
    return best_cut


def own_themes(centroids: np.ndarray) -> np.ndarray:
    """Every segment its own theme (-1 for one without a centroid): the themes of a model
    saved before themes existed, whose files hold no items to group the segments by.

    >>> own_themes(np.eye(3)[[0, 1]] * [[1], [0]]).tolist()
    [0, -1]
    """
    active = np.linalg.norm(centroids, axis=1) > 0
    themes = np.full(len(centroids), UNASSIGNED, dtype=np.int64)
    themes[active] = np.arange(int(active.sum()))
    return themes


def segment_theme(themes: np.ndarray | None, segment: int) -> int | None:
    """The theme of ``segment`` in ``themes`` (one per segment, as ``SegmentModel.themes_``),
    ``None`` when there is none (no themes, no such segment, or a segment an update found gone).

    >>> themes = np.array([0, 1, -1])
    >>> segment_theme(themes, 1), segment_theme(themes, 2), segment_theme(None, 0)
    (1, None, None)
    """
    if themes is None or not 0 <= segment < len(themes) or themes[segment] < 0:
        return None
    return int(themes[segment])


def extend_themes(themes: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Themes for segments an update added (``centroids`` beyond ``themes``): each joins the
    theme of the most similar earlier segment; a segment without a centroid gets -1.

    >>> extend_themes(np.array([0, 1]), np.eye(3)[[0, 1, 0]]).tolist()
    [0, 1, 0]
    """
    themes = np.asarray(themes, dtype=np.int64)
    known = np.flatnonzero(themes >= 0)
    extra = np.full(len(centroids) - len(themes), UNASSIGNED, dtype=np.int64)
    if len(extra) and len(known):
        similar = centroids[len(themes) :] @ centroids[known].T
        extra = themes[known][similar.argmax(axis=1)]
    elif len(extra):  # no earlier theme to join: each is its own
        extra = np.arange(len(extra), dtype=np.int64) + (themes.max(initial=-1) + 1)
    extra[np.linalg.norm(centroids[len(themes) :], axis=1) == 0] = UNASSIGNED
    return np.concatenate([themes, extra])
