"""Creating, unlocking and locking a vault.

A vault is a folder. Its master key is random and never stored in the clear:
each user's password wraps it in the key-slot file, and unlocking is
unwrapping your own slot. While unlocked, the key sits in one mutable buffer
that :meth:`Vault.lock` overwrites; connections are opened per task (a raw
key opens in a tenth of a millisecond) so none outlives a lock.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.security.audit import AuditEntry, AuditTrail
from app.security.crypto import KEY_BYTES, Argon2Params
from app.security.locations import LocationCheck, require_local
from app.vault import keyslots as slotfile
from app.vault import login_failures
from app.vault.errors import (
    AccountDisabled,
    AuthenticationFailed,
    KeySlotsRolledBack,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
)
from app.vault.layout import VaultLayout
from app.vault.recovery import new_recovery_key, normalise
from db.blobs import BlobStore
from db.connection import (
    INDEX_PROFILE,
    Connection,
    DatabaseError,
    NotEncryptedWithThisKey,
    UnsafeDatabaseFile,
    export_copy,
    fsync_dir,
    open_encrypted,
    transaction,
)
from db.schema import migrate
from db.settings import MetaRepository
from db.users import UserRepository, UserRow

RECOVERY_ACTOR = "recovery key"


@dataclass(frozen=True)
class CreatedVault:
    """A new vault, unlocked, with the recovery key to show once and the location's warnings."""

    vault: Vault
    recovery_key: str
    warnings: list[str]


class Vault:
    """An unlocked vault: its layout, its key, and the means to reach its files."""

    def __init__(self, layout: VaultLayout, vault_id: str, master_key: bytes,
                 params: Argon2Params) -> None:
        self.layout = layout
        self.vault_id = vault_id
        self.params = params
        self._key = bytearray(master_key)
        self._locked = False

    # --- creating and opening -------------------------------------------------

    @classmethod
    def create(cls, root: Path, admin_name: str, admin_password: str, *, force: bool = False,
               params: Argon2Params | None = None) -> CreatedVault:
        """Make a new vault in an empty folder with its first admin and a recovery slot.

        Raises:
            CloudFolderRefused: the folder is synced to a cloud service (unless forced).
            VaultExists: the folder already holds files.
        """
        root = Path(root)
        check: LocationCheck = require_local(root, what="vault", force=force)
        if root.exists() and any(root.iterdir()):
            raise VaultExists(f"{root} is not empty; choose a new, empty folder for the vault.")
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        params = params or Argon2Params()
        layout = VaultLayout(root)
        vault = cls(layout, str(uuid.uuid4()), os.urandom(KEY_BYTES), params)
        recovery_key = new_recovery_key()
        now = _now()
        slots = slotfile.KeySlots(vault.vault_id, 1, (
            slotfile.make_slot(slotfile.RECOVERY, vault.vault_id, vault.key, recovery_key, params),
            slotfile.make_slot(slotfile.user_slot_id(vault.vault_id, admin_name), vault.vault_id,
                               vault.key, admin_password, params),
        ))
        with vault.index(create=True) as conn:
            migrate(conn)
            with transaction(conn):
                meta = MetaRepository(conn)
                meta.put("vault_id", vault.vault_id)
                meta.put("created_at", now)
                meta.put("keyslots_generation", str(slots.generation))
                UserRepository(conn).add(admin_name, ("admin",), now)
                vault.audit.append(conn, AuditEntry(admin_name, "vault.created",
                                                    detail={"vault_id": vault.vault_id}))
                row = vault.audit.append(conn, AuditEntry(admin_name, "user.added", admin_name,
                                                          {"roles": ["admin"]}))
        slotfile.write(layout.keyslots, slots, vault.key)
        vault.audit.publish_head(row)
        fsync_dir(root)
        return CreatedVault(vault, recovery_key, check.warnings)

    @classmethod
    def unlock(cls, root: Path, user_name: str, password: str) -> tuple[Vault, UserRow]:
        """Unwrap the user's slot, open the index, and audit the login.

        Raises:
            VaultNotFound, KeySlotsDamaged, AuthenticationFailed, AccountDisabled,
            KeySlotsRolledBack, NewerVaultError, MigrationFailed.
        """
        layout = _existing_layout(root)
        slots, file_mac = slotfile.read(layout.keyslots)
        slot_id = slotfile.user_slot_id(slots.vault_id, user_name)
        master_key = _unwrap_or_note(layout, slots, slot_id, password)
        with _damage_reported("index"):
            vault = cls._opened(layout, slots, file_mac, master_key)
            with vault.index() as conn:
                user = UserRepository(conn).by_name(user_name)
                if user is None or user.disabled:
                    vault.audit.record(conn, AuditEntry(user_name, "login.refused", user_name,
                                                        {"reason": "account disabled or removed"}))
                    vault.lock()
                    raise AccountDisabled() if user else AuthenticationFailed()
                vault._file_noted_failures(conn)
                vault.audit.record(conn, AuditEntry(user.name, "login.succeeded", user.name))
        return vault, user

    @classmethod
    def unlock_with_recovery(cls, root: Path, recovery_key: str) -> Vault:
        """Open the vault with the printed recovery key, for when no admin can log in."""
        layout = _existing_layout(root)
        slots, file_mac = slotfile.read(layout.keyslots)
        master_key = _unwrap_or_note(layout, slots, slotfile.RECOVERY, normalise(recovery_key))
        with _damage_reported("index"):
            vault = cls._opened(layout, slots, file_mac, master_key)
            with vault.index() as conn:
                vault._file_noted_failures(conn)
                vault.audit.record(conn, AuditEntry(RECOVERY_ACTOR, "login.recovery_key"))
        return vault

    @classmethod
    def _opened(cls, layout: VaultLayout, slots: slotfile.KeySlots, file_mac: str,
                master_key: bytes) -> Vault:
        slotfile.check_mac(slots, file_mac, master_key)
        params = Argon2Params()
        vault = cls(layout, slots.vault_id, master_key, params)
        with vault.index() as conn:
            migrate(conn, before_upgrade=vault._copy_before_upgrade)
            vault._check_generation(conn, slots)
        return vault

    # --- while unlocked -----------------------------------------------------------

    @property
    def key(self) -> bytes:
        """The master key; raises VaultLocked once the vault is locked."""
        if self._locked:
            raise VaultLocked()
        return bytes(self._key)

    @property
    def locked(self) -> bool:
        """Whether :meth:`lock` has dropped the key."""
        return self._locked

    @contextlib.contextmanager
    def index(self, *, create: bool = False) -> Iterator[Connection]:
        """Open a connection to the index for one task, closed afterwards.

        Each thread and task gets its own connection; SQLCipher connections are
        never shared across threads.
        """
        conn = open_encrypted(self.layout.index, self.key, INDEX_PROFILE, create=create)
        try:
            yield conn
        finally:
            conn.close()

    @property
    def blobs(self) -> BlobStore:
        """The store of image bytes."""
        return BlobStore(self.layout.blobs, self.key)

    @property
    def audit(self) -> AuditTrail:
        """The audit trail."""
        return AuditTrail(self.key, self.layout.audit_head)

    def lock(self) -> None:
        """Overwrite the key in memory; every later use raises VaultLocked."""
        for i in range(len(self._key)):
            self._key[i] = 0
        self._locked = True

    def relock_check(self, user_name: str, password: str) -> None:
        """Unlock a locked vault again with the same user's password.

        Raises:
            AuthenticationFailed: the password does not open this user's slot.
        """
        slots, file_mac = slotfile.read(self.layout.keyslots)
        slot_id = slotfile.user_slot_id(slots.vault_id, user_name)
        master_key = _unwrap_or_note(self.layout, slots, slot_id, password)
        slotfile.check_mac(slots, file_mac, master_key)
        self._key = bytearray(master_key)
        self._locked = False

    # --- key slots ----------------------------------------------------------------

    def read_slots(self) -> slotfile.KeySlots:
        """Read the key-slot file and prove it was written with this vault's key."""
        slots, file_mac = slotfile.read(self.layout.keyslots)
        slotfile.check_mac(slots, file_mac, self.key)
        return slots

    def set_user_slot(self, conn: Connection, user_name: str, password: str) -> None:
        """Wrap the master key under a user's (new) password; nothing is re-encrypted.

        Call inside the caller's transaction: the index records the new
        generation in the same commit as the user change, and the file is
        written just before, so a crash between them leaves a file newer than
        the index, which the next unlock accepts.
        """
        slots = self.read_slots()
        slot = slotfile.make_slot(slotfile.user_slot_id(self.vault_id, user_name),
                                  self.vault_id, self.key, password, self.params)
        self.store_slots(conn, slots.with_slot(slot))

    def disable_user_slot(self, conn: Connection, user_name: str) -> None:
        """Erase a user's wrapped key so their password no longer opens the vault."""
        slots = self.read_slots()
        slot = slots.slot(slotfile.user_slot_id(self.vault_id, user_name))
        self.store_slots(conn, slots.with_slot(slotfile.disabled(slot)))

    def store_slots(self, conn: Connection, slots: slotfile.KeySlots) -> None:
        """Write a new key-slot file and record its generation in the index."""
        slotfile.write(self.layout.keyslots, slots, self.key)
        MetaRepository(conn).put("keyslots_generation", str(slots.generation))

    def _check_generation(self, conn: Connection, slots: slotfile.KeySlots) -> None:
        meta = MetaRepository(conn)
        recorded = int(meta.get("keyslots_generation") or 0)
        if slots.generation < recorded:
            self.lock()
            raise KeySlotsRolledBack()
        if slots.generation > recorded:
            with transaction(conn):
                meta.put("keyslots_generation", str(slots.generation))

    def _copy_before_upgrade(self, version: int) -> None:
        self.layout.pre_migration.mkdir(exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = self.layout.pre_migration / f"index-v{version}-{stamp}.db"
        with self.index() as conn:
            export_copy(conn, dest, self.key, INDEX_PROFILE)

    def _file_noted_failures(self, conn: Connection) -> None:
        attempts, _ = login_failures.read(self.layout.login_failures)
        if not attempts:
            return
        names = {slotfile.user_slot_id(self.vault_id, u.name): u.name
                 for u in UserRepository(conn).all()}
        names[slotfile.RECOVERY] = RECOVERY_ACTOR
        with transaction(conn):
            for attempt in attempts:
                actor = names.get(attempt.slot, "unknown user name")
                row = self.audit.append(conn, AuditEntry(
                    actor, "login.failed", actor,
                    {"reason": attempt.reason, "attempted_at": attempt.at}))
        self.audit.publish_head(row)
        login_failures.clear(self.layout.login_failures)


@contextlib.contextmanager
def _damage_reported(what: str) -> Iterator[None]:
    """Turn SQLCipher's low-level failures on a damaged file into a VaultDamaged."""
    try:
        yield
    except (NotEncryptedWithThisKey, UnsafeDatabaseFile, DatabaseError) as exc:
        raise VaultDamaged(what) from exc


def _existing_layout(root: Path) -> VaultLayout:
    layout = VaultLayout(Path(root))
    if not layout.index.is_file():
        raise VaultNotFound(f"There is no Clinfile vault in {root}.")
    return layout


def _unwrap_or_note(layout: VaultLayout, slots: slotfile.KeySlots, slot_id: str,
                    secret: str) -> bytes:
    """Unwrap a slot; note any failure for the audit and raise a person-readable error."""
    try:
        return slotfile.open_slot(slots, slot_id, secret)
    except slotfile.NoSuchSlot:
        slotfile.waste_equal_time()
        login_failures.note(layout.login_failures, slot_id, "unknown user name")
        raise AuthenticationFailed() from None
    except slotfile.SlotDisabled:
        login_failures.note(layout.login_failures, slot_id, "account disabled")
        raise AccountDisabled() from None
    except slotfile.WrongSecret:
        login_failures.note(layout.login_failures, slot_id, "wrong password")
        raise AuthenticationFailed() from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
