"""Printing and saving the PDFs the app services make, without freezing the window.

The system print dialog (QPrintDialog over a QPrinter) picks the printer and
copies. Choosing "Print to File (PDF)" there, or Save as PDF, writes the PDF
straight where the person asked; a real printer gets it through the system
spooler. The PDF is always made in a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QWidget

from clinfile.app.desk.spool import print_pdf
from clinfile.ui.tasks import Task, Tasks

MakePdf = Callable[[Path], object]


def ask_and_print(parent: QWidget, tasks: Tasks, make: MakePdf) -> Task | None:
    """Show the print dialog; print the PDF ``make`` writes if the person goes ahead."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        return tasks.run(make, Path(printer.outputFileName()), owner=parent)
    return tasks.run(print_pdf, make, printer.printerName(), printer.copyCount(), owner=parent)


def ask_and_save(parent: QWidget, tasks: Tasks, make: MakePdf, suggested: Path) -> Task | None:
    """Ask where to save the PDF, then write it there in a worker."""
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", str(suggested),
                                            "PDF documents (*.pdf)")
    if not chosen:
        return None
    path = Path(chosen if chosen.lower().endswith(".pdf") else f"{chosen}.pdf")
    return tasks.run(make, path, owner=parent)
