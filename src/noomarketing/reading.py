"""Reading tables: CSV, TSV, JSONL, JSON and Parquet files (compressed or not), frames and lists.

The one reader behind feedback, offers and activity: text in the wrong encoding, binary data,
a broken JSONL line or a repeated column name is refused in one line that names the place.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import json
import lzma
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from noomarketing.schema import NoomarketingError


def read_table(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read CSV (optionally gzipped), JSONL/JSON or Parquet into a DataFrame.

    Text that is not valid ``encoding`` is refused with the line it is on; a JSONL line that is
    not a JSON object is refused with its line number.

    >>> read_table("missing.csv")
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: input file not found: missing.csv
    """
    path = Path(path)
    if not path.exists():
        raise NoomarketingError(f"input file not found: {path}")
    if path.is_dir():
        raise NoomarketingError(f"input {path} is a folder, not a file")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".bz2", ".zip", ".xz"}:
        suffixes = suffixes[:-1]
    kind = suffixes[-1] if suffixes else ""
    if kind in {".parquet", ".pq"}:
        try:
            return pd.read_parquet(path)
        except (ValueError, OSError, ImportError) as exc:
            raise NoomarketingError(f"could not read {path} as Parquet: {exc}") from exc
    if kind not in {".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json"}:
        raise NoomarketingError(
            f"unsupported input format {path.name!r}: use .csv, .tsv, .jsonl, .json or .parquet"
        )
    text = _decoded(path, encoding)
    if kind == ".json":
        _check_json_table(text, path)
    try:
        if kind in {".jsonl", ".ndjson"}:
            return _read_jsonl(text, path)
        if kind == ".json":
            return pd.read_json(io.StringIO(text), dtype=False)
        # a blank line is a row with nothing in it: reported, and row numbers stay lines - 2
        return pd.read_csv(
            io.StringIO(text),
            sep="\t" if kind == ".tsv" else _delimiter(text),
            dtype=object,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError as exc:
        raise NoomarketingError(f"{path} is empty: no header and no rows") from exc
    except (ValueError, pd.errors.ParserError) as exc:
        raise NoomarketingError(f"could not read {path}: {' '.join(str(exc).split())}") from exc


def _delimiter(text: str) -> str:
    """The delimiter of a CSV: the one of ``,``, ``;``, tab and ``|`` that splits its header
    into the most fields (quotes respected), a comma on a tie. Spreadsheets in much of Europe
    write ``;``, as the comma marks decimals there.

    >>> _delimiter("tekst;klient;ocena\\n1;2;3"), _delimiter('"a;b",c\\n'), _delimiter("text")
    (';', ',', ',')
    """
    header = text.split("\n", 1)[0]
    fields = {d: len(next(csv.reader([header], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: fields[d])  # max keeps the first of equals


DELIMITERS = (",", ";", "\t", "|")
_DECIMAL_COMMA = re.compile(r"\s*[-+]?\d+,\d{1,2}\s*")


def decimal_point(value: Any) -> Any:
    """A number written with a decimal comma ("4,5", "19,99") with a point instead; anything
    else as it is ("1,000" could be a thousand or one, so it is left for the caller to refuse).

    >>> decimal_point("4,5"), decimal_point(" 19,99 "), decimal_point("1,000"), decimal_point(3)
    ('4.5', '19.99', '1,000', 3)
    """
    if isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value):
        return value.strip().replace(",", ".")
    return value


def _decoded(path: Path, encoding: str) -> str:
    """The file's text (decompressed by its suffix); binary data and bad bytes are refused."""
    try:
        with _open_binary(path) as handle:
            raw = handle.read()
    except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError) as exc:
        raise NoomarketingError(f"could not read {path}: {exc}") from exc
    if b"\x00" in raw[:65_536] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise NoomarketingError(f"{path} looks like binary data, not a text table")
    try:
        return raw.decode(encoding)
    except LookupError as exc:
        raise NoomarketingError(f"unknown encoding {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise NoomarketingError(
            f"{path} line {line}: bytes that are not {encoding} text; "
            "give the file's encoding (encoding=..., --encoding), e.g. cp1250 or latin-1"
        ) from exc


def _open_binary(path: Path) -> Any:
    """A binary file handle, decompressing ``.gz``/``.bz2``/``.xz``/``.zip`` by suffix."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return gzip.open(path, "rb")
    if suffix == ".bz2":
        return bz2.open(path, "rb")
    if suffix == ".xz":
        return lzma.open(path, "rb")
    if suffix == ".zip":
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if len(names) != 1:
            raise NoomarketingError(f"{path} must hold exactly one file, not {len(names)}")
        return archive.open(names[0])
    return open(path, "rb")


def _check_json_table(text: str, path: Path) -> None:
    """Refuse a JSON file that is not a table: a list of objects (one per row) or an object
    of equally long lists (one per column)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NoomarketingError(f"{path} line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    rows = isinstance(data, list) and all(isinstance(item, dict) for item in data)
    columns = (
        isinstance(data, dict)
        and bool(data)
        and all(isinstance(v, list | dict) for v in data.values())
        and len({len(v) for v in data.values()}) == 1
    )
    if not (rows or columns):
        raise NoomarketingError(
            f"{path} is not a table: give a JSON list of objects, one per row "
            '([{"text": "..."}, ...]), or JSON lines (.jsonl)'
        )


def _read_jsonl(text: str, path: Path) -> pd.DataFrame:
    """One JSON object per line; blank lines are allowed, anything else names its line."""
    records: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise NoomarketingError(f"{path} line {number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise NoomarketingError(
                f"{path} line {number}: expected a JSON object, got {type(record).__name__}"
            )
        records.append(record)
    return pd.DataFrame.from_records(records)


def source_frame(
    source: Any, what: str, text: str | None = None, encoding: str = "utf-8"
) -> pd.DataFrame:
    """A table from a DataFrame, a file path or a list of dicts (or of strings, into ``text``).

    The one reader behind feedback, offers and activity; ``what`` names the table in errors.

    >>> source_frame([{"id": 1}], "offers").shape
    (1, 1)
    >>> source_frame(42, "offers")
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: cannot read offers from int: give a DataFrame, \
a file path or a list of dicts
    """
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
    elif isinstance(source, str | Path):
        frame = read_table(source, encoding).reset_index(drop=True)
    else:
        frame = _frame_of_sequence(source, what, text)
    repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if repeated:
        raise NoomarketingError(f"column name(s) {', '.join(repeated)} appear more than once")
    return frame


def _frame_of_sequence(source: Any, what: str, text: str | None) -> pd.DataFrame:
    if isinstance(source, Sequence) and all(isinstance(x, dict) for x in source):
        return pd.DataFrame(list(source))
    if text is not None and isinstance(source, Sequence):
        return pd.DataFrame({text: list(source)})
    strings = "a list of strings or " if text is not None else ""
    raise NoomarketingError(
        f"cannot read {what} from {type(source).__name__}: "
        f"give a DataFrame, a file path or {strings}a list of dicts"
    )
