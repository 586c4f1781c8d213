"""Progress bars for the long steps: on when someone is watching, off when asked.

``progress=None`` (the default everywhere) shows bars only when interactive: standard error is
a terminal or the code runs in a Jupyter kernel. ``tqdm.auto`` gives notebooks their widget.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def interactive() -> bool:
    """Whether a person is likely watching: a terminal on stderr, or a Jupyter kernel.

    >>> isinstance(interactive(), bool)
    True
    """
    if "ipykernel" in sys.modules:
        shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
        if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
            return True
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def show_progress(progress: bool | None) -> bool:
    """``progress`` as asked, or :func:`interactive` when it is None.

    >>> show_progress(False), show_progress(True)
    (False, True)
    """
    return interactive() if progress is None else bool(progress)


def bar(total: int, description: str, progress: bool | None, unit: str = "step") -> Any:
    """A ``tqdm.auto`` bar, or a silent stand-in with the same ``update``/``close`` calls.

    >>> b = bar(3, "stages", progress=False)
    >>> b.update(1); b.set_postfix_str("generating"); b.close()
    """
    if not show_progress(progress):
        return _Silent()
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm  # a widget in a notebook, text in a terminal
    else:  # tqdm.auto would warn in a notebook without ipywidgets: text bars there too
        from tqdm.std import tqdm

    return tqdm(total=total, desc=description, unit=unit, leave=False)


@contextmanager
def step(description: str, progress: bool | None) -> Iterator[None]:
    """One long call shown as a bar that fills when it ends (with its time).

    >>> with step("reducing (UMAP)", progress=False):
    ...     pass
    """
    shown = bar(1, description, progress)
    clock = time.perf_counter()
    try:
        yield
    finally:
        shown.set_postfix_str(f"{time.perf_counter() - clock:.1f}s")
        shown.update(1)
        shown.close()


class _Silent:
    def update(self, n: int = 1) -> None:
        return None

    def set_postfix_str(self, text: str) -> None:
        return None

    def set_description_str(self, text: str) -> None:
        return None

    def close(self) -> None:
        return None
