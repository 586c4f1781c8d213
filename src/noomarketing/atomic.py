"""Crash-safe output folders: a run's files appear all at once, or not at all.

:func:`atomic_folder` yields a fresh temporary folder beside ``out``; the caller writes every
file there, and only when it is done is the new folder swapped in for the old one (one atomic
``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames, and a run killed between them
is repaired by the next one). A run killed at any moment therefore leaves the previous outputs
whole, never a mix of two runs, and files an earlier run wrote but this one did not (briefs of
segments that no longer exist, ``proposals.csv`` after a ``segment``) are gone.

Files we do not own are kept. ``out`` may be new, empty, or a folder noomarketing wrote before
(it holds :data:`MARKER`, or file names we write). There, every entry that is not ours (a
notes file the user keeps beside the results) is carried into the new folder (hard links, or
copies across file systems) before the swap, so it survives. A non-empty folder with none of
our files (your home folder, a project) is refused before any work, rather than taken over.
Only one run at a time should write to the same ``out``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from noomarketing.schema import NoomarketingError

logger = logging.getLogger(__name__)

MARKER = ".noomarketing.json"
"""The file in an output folder listing what noomarketing wrote there."""

OUTPUT_NAMES = frozenset({
    "assignments.csv", "segments.json", "model", "ideas.json", "briefs", "offer_matches.csv",
    "gaps.json", "proposals.csv", "proposals.json", "control.csv", "retention.csv",
    "cohorts.csv", "map.csv", "report.html", "idea_changes.csv", MARKER,
})
"""Names noomarketing writes into an output folder (an earlier run's, even without a marker)."""

_NEW, _OLD = "new", "old"


def _temp_name(out: Path, kind: str) -> str:
    return f".{out.name}.{kind}-{os.getpid()}-"


def check_out(out: str | Path) -> Path:
    """Refuse an output folder that cannot be written, before any expensive work.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "a-file"
    >>> _ = path.write_text("not a folder")
    >>> try:
    ...     check_out(path)
    ... except NoomarketingError as exc:
    ...     print(str(exc).endswith("exists and is not a folder"))
    True
    """
    out = Path(out).expanduser().absolute()
    if out.exists() and not out.is_dir():
        raise NoomarketingError(f"output {out} exists and is not a folder")
    _recover(out)
    if out.is_dir() and not _owned(out):
        raise NoomarketingError(
            f"output folder {out} holds other files and no earlier noomarketing output: "
            "give a new or empty folder"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        probe = Path(tempfile.mkdtemp(prefix=_temp_name(out, "probe"), dir=out.parent))
        probe.rmdir()
    except OSError as exc:
        raise NoomarketingError(f"cannot write to {out}: {exc}") from exc
    return out


def _owned(out: Path) -> bool:
    """True when ``out`` is empty or holds files noomarketing wrote."""
    names = {entry.name for entry in out.iterdir()}
    return not names or bool(names & OUTPUT_NAMES)


def _ours(out: Path) -> set[str]:
    """Names in ``out`` that an earlier run wrote: its marker's list, or our usual names."""
    try:
        listed = json.loads((out / MARKER).read_text(encoding="utf-8")).get("entries", [])
        return set(map(str, listed)) | OUTPUT_NAMES
    except (OSError, ValueError, AttributeError):
        return set(OUTPUT_NAMES)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _recover(out: Path) -> None:
    """Repair what a killed run left: put back a moved-away old folder, remove temp folders."""
    if not out.parent.is_dir():
        return
    prefix = f".{out.name}."
    for entry in [e for e in out.parent.iterdir() if e.name.startswith(prefix)]:
        kind, _, rest = entry.name[len(out.name) + 2 :].partition("-")
        pid = rest.partition("-")[0]
        if kind not in (_NEW, _OLD, "probe") or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == _OLD and not out.exists():
            logger.warning("restoring %s, moved away by a run that was killed", out)
            os.rename(entry, out)
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _carry_over(old: Path, new: Path) -> list[str]:
    """Hard-link (or copy) into ``new`` every entry of ``old`` that is not ours."""
    if not old.is_dir():
        return []
    ours, carried = _ours(old), []
    for entry in sorted(old.iterdir()):
        if entry.name in ours or (new / entry.name).exists():
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, new / entry.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(new / entry.name))
        carried.append(entry.name)
    return carried


def _link_or_copy(source: str, target: str) -> None:
    if os.path.islink(source):
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system cannot."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _swap_in(new: Path, out: Path) -> None:
    """Make ``new`` the folder at ``out``; remove what was there."""
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new)  # now the old folder
        return
    old = Path(tempfile.mkdtemp(prefix=_temp_name(out, _OLD), dir=out.parent))
    old.rmdir()
    os.rename(out, old)  # killed here: the next run puts it back (_recover)
    os.rename(new, out)
    shutil.rmtree(old)


@contextlib.contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; swap it in for ``out`` when the block ends.

    If the block raises (or the process dies), ``out`` is left exactly as it was.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "run"
    >>> with atomic_folder(out) as folder:
    ...     _ = (folder / "segments.json").write_text("{}")
    >>> sorted(p.name for p in out.iterdir())
    ['.noomarketing.json', 'segments.json']
    """
    out = check_out(out)
    new = Path(tempfile.mkdtemp(prefix=_temp_name(out, _NEW), dir=out.parent))
    try:
        yield new
        entries = sorted(entry.name for entry in new.iterdir())
        marker = {"written_by": "noomarketing", "entries": entries}
        (new / MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
        carried = _carry_over(out, new)
        if carried:
            logger.info("kept %d file(s) of yours in %s: %s", len(carried), out, carried[:5])
        _swap_in(new, out)
    except OSError as exc:  # a full disk, a folder made read-only meanwhile: one line
        shutil.rmtree(new, ignore_errors=True)
        raise NoomarketingError(f"cannot write to {out}: {exc}") from exc
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
