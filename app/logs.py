"""Logging that never writes a patient identifier or a secret to disk.

Code is written not to log identifiers in the first place; this filter is the
second line of defence for what slips through (an exception message quoting a
file name or a query): dates, long digit runs (Medicare, IHI, DVA numbers,
phone numbers), e-mail addresses and recovery-key-shaped strings are masked.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_PATTERNS = [
    re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}\b"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b"),
    re.compile(r"\b\d(?:[\s-]?\d){5,}\b"),
]
MASK = "[redacted]"


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
    """Send the ``clinfile`` loggers to a rotating file in ``log_dir``, redacted."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "clinfile.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("clinfile")
    logger.setLevel(level)
    logger.addHandler(handler)
    return path
