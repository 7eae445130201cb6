"""What the QR code on a consent form holds, and how it is read back.

The code names the consent record only, by its printed short code, behind a
prefix that tells it apart from any other QR code that may be in a scan
(a patient label, a pathology request). It never holds the patient's name:
the paper already shows that to whoever holds it, and a code that travels
without the paper should identify no one.
"""

from __future__ import annotations

import re

PREFIX = "CLINFILE:"
_PAYLOAD = re.compile(r"^CLINFILE:([0-9A-Z]{4,16})$")


def qr_payload(code: str) -> str:
    """Return the text to encode for a consent's short code.

    Upper-case letters, digits and the few symbols used fit the QR code's
    alphanumeric mode, which keeps the symbol small and its modules large.
    """
    return f"{PREFIX}{code.upper()}"


def code_from_payload(text: str) -> str | None:
    """Return the short code a Clinfile consent QR code holds, or None for any other text."""
    found = _PAYLOAD.match(text.strip().upper())
    return found.group(1) if found else None
