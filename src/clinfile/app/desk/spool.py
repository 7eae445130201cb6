"""Handing a finished PDF to the computer's printing system.

The PDFs (recovery sheet, consent forms, summaries) are made by reportlab;
the window's print dialog chooses the printer and the number of copies, and
the PDF itself goes to the system spooler, which prints PDF natively (CUPS on
Linux and macOS, the shell's print verb on Windows). The temporary copy is
private to this user and removed as soon as the spooler has it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


class PrintingUnavailable(Exception):
    """This computer has no way to send a PDF to a printer; ``str()`` says what to do."""


def print_pdf(make: Callable[[Path], object], printer: str, copies: int = 1) -> None:
    """Make a PDF into a private temporary folder, spool it to ``printer``, remove it.

    Raises:
        PrintingUnavailable: no spooler was found, or it refused the job.
    """
    with tempfile.TemporaryDirectory(prefix="clinfile-print-") as folder:
        pdf = Path(folder) / "document.pdf"
        make(pdf)
        _spool(pdf, printer, max(1, copies))


def _spool(pdf: Path, printer: str, copies: int) -> None:
    if sys.platform == "win32":
        os.startfile(str(pdf), "print")  # type: ignore[attr-defined]
        return
    lp = shutil.which("lp")
    if lp is None:
        raise PrintingUnavailable("This computer has no printing system set up. Save the "
                                  "PDF instead and print it from another program.")
    command = [lp, "-n", str(copies)]
    if printer:
        command += ["-d", printer]
    done = subprocess.run([*command, str(pdf)], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise PrintingUnavailable(f"The printer did not accept the page: "
                                  f"{done.stderr.strip() or 'no reason given'}. "
                                  "Save the PDF instead and print it from another program.")
