"""How results look in a notebook and a terminal: short reprs and HTML tables.

Every result object shows a one-line ``repr`` and, in Jupyter, a table (``_repr_html_``)
instead of dumping every feedback item. pandas escapes the cells, so customer text in a table
renders as text.
"""

from __future__ import annotations

import html

import pandas as pd

MAX_ROWS = 30
"""Rows a notebook table shows before it elides the middle."""


def html_table(frame: pd.DataFrame, caption: str = "", note: str = "") -> str:
    """A DataFrame as an HTML table under an escaped caption.

    >>> print(html_table(pd.DataFrame({"text": ["<b>hi</b>"]}), caption="A & B")[:55])
    <div class="noomarketing"><p><b>A &amp; B</b></p><table
    >>> "&lt;b&gt;hi&lt;/b&gt;" in html_table(pd.DataFrame({"text": ["<b>hi</b>"]}))
    True
    """
    head = f"<p><b>{html.escape(caption)}</b></p>" if caption else ""
    tail = f"<p>{html.escape(note)}</p>" if note else ""
    table = frame.to_html(index=False, max_rows=MAX_ROWS, escape=True, na_rep="")
    return f'<div class="noomarketing">{head}{table}{tail}</div>'


def short(text: str | None, limit: int = 80) -> str:
    """One line of at most ``limit`` characters, cut after a whole word where it is too long.

    >>> short("a  long\\ntext", limit=8)
    'a long…'
    >>> short("Seams came apart after a week", limit=18)
    'Seams came apart…'
    >>> short("Unbreakablewordwithoutspaces", limit=8)
    'Unbreak…'
    """
    line = " ".join(str(text or "").split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    words = cut.rsplit(" ", 1)[0] if " " in cut and line[limit - 1] != " " else cut
    return words.rstrip(" ,;:-–—") + "…"


def signed(value: float, digits: int = 2) -> str:
    """``value`` with its sign, and no sign where it rounds to zero.

    >>> signed(0.0123, 3), signed(-0.0004, 3), signed(-0.2)
    ('+0.012', '0.000', '-0.20')
    """
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text
