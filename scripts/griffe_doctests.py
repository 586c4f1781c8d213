"""A griffe extension for the API docs: docstring examples (``>>>``) become code blocks.

The docstrings keep their doctests under ``Example:`` (run by pytest); Markdown would read a
line such as ``[p.id for p in x]`` followed by ``['a']`` as a link. Fencing each doctest as
``pycon`` shows it as the console session it is. Used by ``mkdocs.yml``.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Wrap each run of doctest lines (prompt, continuation, output) in a pycon fence.

    >>> print(fence_doctests("Intro.\\n\\n    >>> 1 + 1\\n    2\\n\\nAfter."))
    Intro.
    <BLANKLINE>
        ```pycon
        >>> 1 + 1
        2
        ```
    <BLANKLINE>
    After.
    """
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.lstrip().startswith(">>>"):
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip() and lines[i].startswith(indent):
            out.append(lines[i])
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctests of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
