"""Shared test set-up: offscreen Qt, a private keyring, and a fresh vault per test."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ADMIN = "admin"
ADMIN_PASSWORD = "practice manager password"
PASSWORDS = {
    "admin": ADMIN_PASSWORD,
    "clinician": "doctor's long password",
    "reception": "front desk long password",
}


class MemoryKeyring(KeyringBackend):
    """A keyring that lives and dies with one test; never the machine's keychain."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def pillow_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow's pixel limit as it was: a test that prepares a decoder in-process sets it."""
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)


class HeldClock:
    """The application's clock in one test: the real time, or a moment :meth:`hold` sets."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def hold(self, moment: datetime | None) -> None:
        """Make every stamp the application writes this moment (None: the real time again)."""
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment or datetime.now(UTC)


@pytest.fixture
def app_clock() -> Iterator[HeldClock]:
    """The application's one clock, for a test to set; the computer's clock again afterwards."""
    from clinfile.app import clock

    held = HeldClock()
    clock.set_source(held)
    yield held
    clock.set_source(None)


@pytest.fixture
def practice_time_zone() -> Iterator[Callable[[str], None]]:
    """Put this test's computer in a practice's time zone (``"Australia/Melbourne"``).

    The computer's own zone comes back afterwards. Far from UTC, the
    practice's day and UTC's day differ for hours every day.
    """
    before = os.environ.get("TZ")

    def _put(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield _put
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def corpus() -> Path:
    """The shared real camera and phone files (read-only: copy before importing)."""
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not beside the project")
    return CORPUS


@pytest.fixture(scope="session")
def template_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One vault made per test process; each test gets its own copy of it.

    Making a vault costs several Argon2 derivations; copying its few files
    costs nothing, and a copy is as private to its test as a new vault.
    """
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService
    from clinfile.app.vault.vault import Vault

    root = tmp_path_factory.mktemp("template") / "vault"
    created = Vault.create(root, ADMIN, ADMIN_PASSWORD)
    created.vault.lock()
    session = Session.login(root, ADMIN, ADMIN_PASSWORD)
    users = UserService(session)
    users.add("clinician", "clinician", PASSWORDS["clinician"])
    users.add("reception", "reception", PASSWORDS["reception"])
    session.lock()
    return root


@pytest.fixture
def vault_path(template_vault: Path, tmp_path: Path) -> Path:
    """A vault with one admin (``admin``), one clinician and one receptionist."""
    root = tmp_path / "vault"
    shutil.copytree(template_vault, root)
    return root


@pytest.fixture
def login(vault_path: Path) -> Callable[..., object]:
    """Log in to the test vault as ``admin``, ``clinician`` or ``reception``."""
    from clinfile.app.security.session import Session

    def _login(user: str = ADMIN, **kwargs):
        return Session.login(vault_path, user, PASSWORDS[user], **kwargs)

    return _login
