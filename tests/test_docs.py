"""The documentation cannot rot: its code runs, its CLI help is the program's, the notebook runs."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(page: Path, language: str) -> list[str]:
    return [code for lang, code in FENCE.findall(page.read_text(encoding="utf-8"))
            if lang == language]


@pytest.fixture
def private_home(tmp_path, monkeypatch, cache_dir):
    """Run in tmp_path, with every cache and Jupyter folder inside it."""
    # a kernel started from tmp_path imports this checkout's sources, as the tests do
    paths = [str(ROOT / "src"), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(str(Path(p).resolve()) for p in paths))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOOMARKETING_CACHE", cache_dir)
    for name in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p, "python")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(page, private_home):
    namespace: dict = {"__name__": "__docs__"}
    for code in blocks(page, "python"):  # one page is one session: later blocks use earlier ones
        exec(compile(code, str(page), "exec"), namespace)


@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p, "bash")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_blocks_name_real_commands(page):
    from noomarketing.cli import build_parser

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for code in blocks(page, "bash"):
        for line in code.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if words[0] == "make":
                assert re.search(rf"^{words[1]}:", makefile, re.M), line
            elif words[0] == "noomarketing":
                build_parser().parse_args(words[1:])  # exits 2 on a wrong option


def test_cli_page_is_the_programs_help():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from cli_docs import page
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == page(), (
        "docs/cli.md is out of date: run python scripts/cli_docs.py"
    )


def test_every_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs").rglob("*.md"):
        assert str(page.relative_to(ROOT / "docs")) in nav, page


@pytest.mark.slow
def test_notebook_runs(private_home):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(ROOT / "examples" / "quickstart.ipynb", as_version=4)
    # kernel "python3" is started with sys.executable: the interpreter running the tests
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(private_home)}})
    client.execute()
    assert (private_home / "out" / "report.html").is_file()
    shown = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in shown if o.get("output_type") == "error"]
    tables = [o["data"]["text/html"] for o in shown if "text/html" in o.get("data", {})]
    assert any("RunResult(" in t for t in tables)  # `result` shows a table, not a dump
    plain = [o["data"]["text/plain"] for o in shown if "text/plain" in o.get("data", {})]
    assert all(len(text) < 5_000 for text in plain)
