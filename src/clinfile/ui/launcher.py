"""The ``clinfile`` command (the window when run bare, the verbs otherwise) and ``clinfile-desk``.

PySide6 is imported only when the window is wanted, so the verbs start fast and
run on servers with no display libraries at all.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from clinfile.app import logs, paths
from clinfile.app.ingest.decode_workers import warm_up


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: open the window with no verb, run the verb otherwise."""
    args = list(sys.argv[1:] if argv is None else argv)
    _configure_logging()
    if args:
        from clinfile.app.cli.main import run

        sys.exit(_output_flushed(run(args)))
    _open_the_window()


def desk() -> None:
    """GUI entry point: the window alone, with no console window on Windows."""
    _configure_logging()
    _open_the_window()


def _output_flushed(code: int) -> int:
    """Flush what a verb printed; a reader gone by then ends the command quietly, as Unix tools do.

    Output still buffered when the reader left would fail again at the
    interpreter's own last flush, with a message of its own, so from then on
    it goes nowhere.
    """
    from clinfile.app.cli.common import EXIT_READER_GONE

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = EXIT_READER_GONE
    if code == EXIT_READER_GONE:
        nowhere = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nowhere, sys.stdout.fileno())
    return code


def _configure_logging() -> None:
    try:
        logs.configure(paths.log_dir())
    except OSError:
        logging.basicConfig(level=logging.WARNING)


def _open_the_window() -> None:
    # Start the decoders' process server while this process is still small:
    # forking it later, from a busy window, would hold the GUI thread up.
    warm_up()
    from clinfile.ui.application import run_window

    sys.exit(run_window())
