"""``python -m noomarketing``: the same as the ``noomarketing`` command."""

import sys

from noomarketing.cli import main

if __name__ == "__main__":
    sys.exit(main())
