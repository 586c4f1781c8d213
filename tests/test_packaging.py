"""Release hygiene: ranges in pyproject.toml, pins in constraints.txt, package data that exists."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "noomarketing"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_dependencies_are_ranges_and_every_one_is_pinned_in_constraints():
    project = _project()["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name.strip().lower())] = version.strip()
    for requirement in wanted:
        assert "==" not in requirement, f"{requirement}: pin it in constraints.txt, not here"
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name.lower()) in pins, f"{name} is not in constraints.txt"


def test_package_data_globs_match_real_files_and_py_typed_ships():
    globs = _project()["tool"]["setuptools"]["package-data"]["noomarketing"]
    assert "py.typed" in globs and (PACKAGE / "py.typed").is_file()
    for pattern in globs:
        assert list(PACKAGE.glob(pattern)), f"package-data {pattern!r} matches no file"
    for folder in ("data", "presentation/templates"):
        for path in (PACKAGE / folder).iterdir():
            if path.is_file():
                relative = str(path.relative_to(PACKAGE))
                assert any(path.match(str(PACKAGE / g)) for g in globs), f"{relative} not shipped"
