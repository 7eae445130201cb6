"""The few cryptographic operations the vault needs, in one place.

Passwords are stretched with Argon2id (memory-hard, so guessing costs a GPU
as much as it costs us), keys are wrapped with AES-256-GCM, and every other
key the vault uses is derived from the master key with HKDF so that one
secret, unwrapped once at login, opens everything. Two keys stand apart
from the master key on purpose: each key slot's X25519 pair, so an admin can
hand remaining users a new master key without their passwords, and the
Ed25519 key that seals the audit trail, which only admins hold.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
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


def new_keypair() -> tuple[bytes, bytes]:
    """Return a fresh X25519 (private, public) pair, raw bytes.

    Each key slot holds one: its private half is wrapped under the slot's
    password, its public half lets an admin hand the slot a new master key
    without knowing that password.
    """
    private = X25519PrivateKey.generate()
    return (private.private_bytes_raw(), private.public_key().public_bytes_raw())


def box_keypair(secret: bytes) -> tuple[bytes, bytes]:
    """The X25519 (private, public) pair that a secret, such as the seal key, stands for.

    Whoever holds the secret can open what was sealed to the public half;
    nobody else, however much of the vault they hold, can.
    """
    private = X25519PrivateKey.from_private_bytes(derive_key(secret, "pin box"))
    return (private.private_bytes_raw(), private.public_key().public_bytes_raw())


def seal_to(public_key: bytes, secret: bytes, associated: bytes) -> dict[str, str]:
    """Encrypt a secret so only the holder of ``public_key``'s private half can read it.

    An ephemeral X25519 exchange gives a one-off AES-256-GCM key (ECIES);
    the result is plain text fields for a JSON file.
    """
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    nonce, wrapped = wrap(derive_key(shared, "envelope"), secret, associated)
    return {"ephemeral": b64(ephemeral.public_key().public_bytes_raw()),
            "nonce": b64(nonce), "wrapped": b64(wrapped)}


def open_sealed(private_key: bytes, envelope: dict[str, str], associated: bytes) -> bytes:
    """Read what :func:`seal_to` wrote for this private key, or raise UnwrapFailed."""
    try:
        ephemeral = X25519PublicKey.from_public_bytes(unb64(envelope["ephemeral"]))
        shared = X25519PrivateKey.from_private_bytes(private_key).exchange(ephemeral)
        nonce, wrapped = unb64(envelope["nonce"]), unb64(envelope["wrapped"])
    except (KeyError, TypeError, ValueError):
        raise UnwrapFailed() from None
    return unwrap(derive_key(shared, "envelope"), nonce, wrapped, associated)


def new_signing_key() -> tuple[bytes, bytes]:
    """Return a fresh Ed25519 (private, public) pair, raw bytes."""
    private = Ed25519PrivateKey.generate()
    return (private.private_bytes_raw(), private.public_key().public_bytes_raw())


def signing_public(private_key: bytes) -> bytes:
    """The public half of an Ed25519 private key."""
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def sign(private_key: bytes, data: bytes) -> str:
    """Sign data with an Ed25519 private key; return the signature as hex."""
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(data).hex()


def signature_holds(public_key: bytes, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (hex) is the Ed25519 signature of data by ``public_key``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(bytes.fromhex(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def b64(raw: bytes) -> str:
    """Bytes as base64 text, for JSON files."""
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str) -> bytes:
    """Base64 text back to bytes; raises ValueError on anything else."""
    return base64.b64decode(text.encode("ascii"), validate=True)
