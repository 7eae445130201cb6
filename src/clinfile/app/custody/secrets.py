"""Service secrets (PACS, FHIR server credentials) in the operating system's keyring.

Fails closed: when no keyring backend is available (a headless Linux box with
no Secret Service, say) storing or reading a secret raises
SecretStoreUnavailable with a plain explanation. There is deliberately no
plaintext fallback file — a practice's credentials must not sit on disk in
the clear.
"""

from __future__ import annotations

from typing import Protocol

import keyring
from keyring.errors import InitError, KeyringError, NoKeyringError, PasswordDeleteError

SERVICE_PREFIX = "clinfile"


class SecretStoreUnavailable(Exception):
    """No keyring can hold secrets on this computer."""


class SecretStore(Protocol):
    """Where Clinfile keeps a service's secret; the vault's password never goes here."""

    def is_available(self) -> bool:
        """Whether secrets can be stored at all."""

    def get(self, name: str) -> str | None:
        """Return a stored secret or None."""

    def set(self, name: str, secret: str) -> None:
        """Store or replace a secret."""

    def delete(self, name: str) -> None:
        """Forget a secret; forgetting one that is not there is fine."""


class KeyringSecretStore:
    """SecretStore over the ``keyring`` package, one entry per vault and service."""

    def __init__(self, vault_id: str) -> None:
        self._service = f"{SERVICE_PREFIX}:{vault_id}"

    def is_available(self) -> bool:
        """Whether a real keyring backend (not the 'fail' backend) is usable."""
        try:
            backend = keyring.get_keyring()
        except (InitError, NoKeyringError):
            return False
        return getattr(backend, "priority", 0) > 0

    def get(self, name: str) -> str | None:
        """Return a stored secret or None; raise SecretStoreUnavailable without a keyring."""
        try:
            return keyring.get_password(self._service, name)
        except KeyringError as exc:
            raise _unavailable(exc) from None

    def set(self, name: str, secret: str) -> None:
        """Store a secret; raise SecretStoreUnavailable without a keyring."""
        try:
            keyring.set_password(self._service, name, secret)
        except KeyringError as exc:
            raise _unavailable(exc) from None

    def delete(self, name: str) -> None:
        """Forget a secret."""
        try:
            keyring.delete_password(self._service, name)
        except PasswordDeleteError:
            return
        except KeyringError as exc:
            raise _unavailable(exc) from None


def _unavailable(exc: Exception) -> SecretStoreUnavailable:
    return SecretStoreUnavailable(
        "This computer has no password keyring Clinfile can use, so it cannot remember "
        "server passwords. You will be asked for them each time instead. "
        f"(Keyring said: {type(exc).__name__})"
    )
