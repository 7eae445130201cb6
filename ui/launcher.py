"""The ``clinfile`` command: the window when run bare, the command-line verbs otherwise.

PySide6 is imported only when the window is wanted, so the verbs start fast and
run on servers with no display libraries at all.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: open the window with no verb, run the verb otherwise."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args:
        from app.cli.main import run

        sys.exit(run(args))
    from ui.application import run_window

    sys.exit(run_window())
