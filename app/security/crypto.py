"""The few cryptographic operations the vault needs, in one place.

Passwords are stretched with Argon2id (memory-hard, so guessing costs a GPU
as much as it costs us), keys are wrapped with AES-256-GCM, and every other
key the vault uses is derived from the master key with HKDF so that one
secret, unwrapped once at login, opens everything.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16


class UnwrapFailed(Exception):
    """The wrapping key is wrong or the wrapped bytes were changed."""


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost settings, stored beside each slot so they can be raised later.

    The defaults take about a third of a second on a two-core practice PC:
    slow enough to make guessing expensive, fast enough that unlocking the
    vault stays well under a second.
    """

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2


def stretch_password(password: str, salt: bytes, params: Argon2Params) -> bytes:
    """Derive a 256-bit wrapping key from a password with Argon2id."""
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def wrap(wrapping_key: bytes, secret: bytes, associated: bytes) -> tuple[bytes, bytes]:
    """Encrypt a secret with AES-256-GCM; return (nonce, ciphertext with tag)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(wrapping_key).encrypt(nonce, secret, associated)


def unwrap(wrapping_key: bytes, nonce: bytes, wrapped: bytes, associated: bytes) -> bytes:
    """Decrypt what :func:`wrap` produced, or raise UnwrapFailed."""
    try:
        return AESGCM(wrapping_key).decrypt(nonce, wrapped, associated)
    except InvalidTag:
        raise UnwrapFailed() from None


def derive_key(master_key: bytes, purpose: str) -> bytes:
    """Derive an independent 256-bit key for one purpose from the master key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
        info=f"clinfile {purpose}".encode(),
    ).derive(master_key)


def mac(key: bytes, data: bytes) -> str:
    """Return the HMAC-SHA256 of data as hex."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two MACs in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())
