"""Logging that never writes a patient identifier or a secret to disk.

Code is written not to log identifiers in the first place; this filter is the
second line of defence for what slips through (an exception message quoting a
file name or a query): dates, long digit runs (Medicare, IHI, DVA numbers,
phone numbers), e-mail addresses and recovery-key-shaped strings are masked.

Every logger is a child of ``clinfile``, so every record passes the filter
and reaches the file. Python's warnings (Pillow's about a damaged picture)
are written there too, never on the terminal, from the decoding processes
as well as the main one.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import warnings
from pathlib import Path

_PATTERNS = [
    re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}\b"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b"),
    re.compile(r"\b\d(?:[\s-]?\d){5,}\b"),
]
MASK = "[redacted]"
ROOT = "clinfile"
FILE_NAME = "clinfile.log"
LOG_DIR_VARIABLE = "CLINFILE_LOG_DIR"


def redact(text: str) -> str:
    """Mask anything in ``text`` that looks like an identifier or a key."""
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (with its arguments and traceback) redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message in place; never drops a record."""
        message = redact(record.getMessage())
        if record.exc_info:
            message += "\n" + redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = message, None
        return True


def configure(log_dir: Path, *, level: int = logging.INFO) -> Path:
    """Send the ``clinfile`` loggers to a rotating file in ``log_dir``, redacted.

    The folder is also left in the environment, for the decoding processes
    this one starts to write to the same file (see :func:`configure_worker`).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / FILE_NAME
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    _attach(handler, level)
    os.environ[LOG_DIR_VARIABLE] = str(log_dir)
    send_warnings_to_log()
    return path


def configure_worker(*, level: int = logging.INFO) -> None:
    """In a helper process: write to the main process's log file, and never the terminal.

    Only the main process rotates the file; a helper appends to whichever
    file has the name. With no log chosen or reachable (a test, say), records
    are dropped rather than printed.
    """
    send_warnings_to_log()
    folder = os.environ.get(LOG_DIR_VARIABLE)
    try:
        handler: logging.Handler = logging.handlers.WatchedFileHandler(
            Path(folder) / FILE_NAME, encoding="utf-8") if folder else logging.NullHandler()
    except OSError:
        handler = logging.NullHandler()
    _attach(handler, level)


def send_warnings_to_log() -> None:
    """Write Python's warnings to the ``clinfile.warnings`` logger instead of the terminal.

    Pillow warns about damaged files (corrupt EXIF, truncated data) in its
    own words; the person is told about the file in plain ones, and these
    belong in the log, redacted like everything else.
    """
    warnings.showwarning = _log_warning


def _log_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: object = None, line: str | None = None) -> None:
    logging.getLogger(f"{ROOT}.warnings").warning("%s: %s", category.__name__, message)


def _attach(handler: logging.Handler, level: int) -> None:
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(ROOT)
    logger.setLevel(level)
    logger.addHandler(handler)
