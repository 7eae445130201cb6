"""The recovery key: printed once at set-up, typed back in when every admin is gone.

It is 150 random bits written in Crockford's base32 (no I, L, O or U, so no
letter is mistaken for a digit), with two check characters so a typing
mistake is caught before any slow key derivation, grouped in fours.
"""

from __future__ import annotations

import hashlib
import secrets

from clinfile.app.errors import MeantForPeople

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_CHARS = 30
_GROUP = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


class RecoveryKeyMistyped(MeantForPeople, ValueError):
    """The recovery key's check characters do not match: a typing mistake."""


def new_recovery_key() -> str:
    """Return a fresh recovery key, grouped for printing and typing."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_CHARS))
    return _group(body + _check(body))


def normalise(typed: str) -> str:
    """Return the canonical form of a typed key, or raise RecoveryKeyMistyped.

    Case, spaces and dashes do not matter, and O, I and L are read as the
    digits they are usually mistaken for.
    """
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(cleaned) != _RANDOM_CHARS + 2 or any(ch not in ALPHABET for ch in cleaned):
        raise RecoveryKeyMistyped("That recovery key is not the right length or has stray letters.")
    body, check = cleaned[:_RANDOM_CHARS], cleaned[_RANDOM_CHARS:]
    if _check(body) != check:
        raise RecoveryKeyMistyped("That recovery key has a typing mistake; check each group.")
    return _group(cleaned)


def _check(body: str) -> str:
    digest = hashlib.sha256(body.encode("ascii")).digest()
    return ALPHABET[digest[0] % 32] + ALPHABET[digest[1] % 32]


def _group(chars: str) -> str:
    return "-".join(chars[i : i + _GROUP] for i in range(0, len(chars), _GROUP))
