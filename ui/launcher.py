"""The ``clinfile`` command: the window when run bare, the command-line verbs otherwise.

PySide6 is imported only when the window is wanted, so the verbs start fast and
run on servers with no display libraries at all.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from app import logs, paths
from app.ingest.decode_workers import warm_up


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: open the window with no verb, run the verb otherwise."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        logs.configure(paths.log_dir())
    except OSError:
        logging.basicConfig(level=logging.WARNING)
    if args:
        from app.cli.main import run

        sys.exit(run(args))
    # Start the decoders' process server while this process is still small:
    # forking it later, from a busy window, would hold the GUI thread up.
    warm_up()
    from ui.application import run_window

    sys.exit(run_window())
