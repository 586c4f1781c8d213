"""Limits checked before the expensive work: settings of a run and the memory it needs.

A run that cannot succeed should say so in one line before minutes of embedding, not end in a
traceback at stage 5 or in an out-of-memory kill.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from noomarketing.params import MAX_SEED, check_int
from noomarketing.schema import Feedback, NoomarketingError

BYTES_PER_ROW = 24_000
"""Memory one fitted row needs at most (embedding, UMAP graph and layout, HDBSCAN), measured
with margin: 50,000 rows stay under 1 GB."""


def available_memory() -> int | None:
    """Bytes this process can still take (``MemAvailable``, or a cgroup limit if smaller)."""
    sizes = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                sizes.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit.isdigit():
            sizes.append(int(limit) - used)
    except (OSError, ValueError):
        pass
    return min(sizes) if sizes else None


def check_fits(feedback: Feedback, fit_sample_size: int | None) -> None:
    """A clear error before an out-of-memory: estimated from row count and text size.

    >>> check_fits(Feedback.from_texts(["late again"]), None)  # a small input fits
    """
    fitted = len(feedback) if fit_sample_size is None else min(len(feedback), fit_sample_size)
    text_bytes = sum(len(text) for text in feedback.texts) * 4  # str is up to 4 bytes a char
    need = fitted * BYTES_PER_ROW + len(feedback) * 2_000 + text_bytes * 3
    free = available_memory()
    if free is not None and need > free:
        raise NoomarketingError(
            f"{len(feedback):,} feedback item(s) need about {need / 2**30:.1f} GB of memory, "
            f"{free / 2**30:.1f} GB are free: split the input or set a smaller fit_sample_size"
        )


def check_run_settings(
    n_ideas: int, budget: float | None, per_customer: int, control: float, random_state: Any
) -> None:
    """Refuse bad settings of :func:`run` with one line, before anything is read."""
    check_int("random_state", random_state, 0, MAX_SEED, optional=True)
    for name, value in (("n_ideas", n_ideas), ("per_customer", per_customer)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise NoomarketingError(f"{name} must be a positive integer, not {value!r}")
    if budget is not None and not (isinstance(budget, int | float) and math.isfinite(budget)
                                   and budget >= 0):
        raise NoomarketingError(f"budget must be a number ≥ 0, not {budget!r}")
    if not (isinstance(control, int | float) and 0 <= control < 1):
        raise NoomarketingError(f"control must be a share in [0, 1), not {control!r}")
