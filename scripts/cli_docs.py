"""Write docs/cli.md: the CLI page, with each command's --help exactly as printed.

    python scripts/cli_docs.py          # after changing an option; tests/test_docs.py checks it
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HEADER = """\
# Command line

`noomarketing` (or `python -m noomarketing`) has four commands: `segment` (stage 1),
`run` (all five stages; `--previous DIR` continues from an earlier run), `update` (stage 1 for
the next batch of feedback, on a saved model) and `report` (the HTML report of an output
folder).

* `-` as the input reads CSV (or JSON lines) from standard input:
  `cat feedback.csv | noomarketing segment - --text comment --out out/`.
* `--format json` prints the summary as JSON on standard output (and nothing else), for
  scripts: `noomarketing run ... --format json | jq .proposals`.
* `--report` writes `DIR/report.html` as well.
* Exit codes: **0** done; **1** bad data or a bad option value, explained in one line on
  standard error (`noomarketing: error: ...`); **2** a usage error (argparse's own message).
* Progress bars appear only on a terminal; `--no-progress` turns them off there too.

The help of each command follows, exactly as the program prints it (a test keeps it so).

"""

COMMANDS = ["", "segment", "run", "update", "report"]


def help_text(command: str) -> str:
    """The help of one command as the program prints it, 100 columns wide."""
    os.environ["COLUMNS"] = "100"
    from noomarketing.cli import build_parser

    parser = build_parser()
    if command:
        parser = parser._subparsers._group_actions[0].choices[command]
    return "\n".join(line.rstrip() for line in parser.format_help().splitlines())


def page() -> str:
    parts = [HEADER]
    for command in COMMANDS:
        name = f"noomarketing {command}".strip()
        parts.append(f"## `{name} --help`\n\n```text\n{help_text(command)}\n```\n\n")
    return "".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
    target.write_text(page(), encoding="utf-8")
    sys.stderr.write(f"wrote {target}\n")
