"""Creating, unlocking and locking a vault.

A vault is a folder. Its master key is random and never stored in the clear:
each user's password wraps it in the key-slot file, and unlocking is
unwrapping your own slot. An index older than the one the vault last
recorded (its newest audit row, kept in the audit head and the key-slot
file) is refused unless an admin accepts it. While unlocked, the key sits in one mutable buffer
that :meth:`Vault.lock` overwrites; connections are opened per task (a raw
key opens in a tenth of a millisecond) so none outlives a lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from app.security.audit import AuditEntry, AuditMark, AuditTrail
from app.security.crypto import KEY_BYTES, Argon2Params
from app.security.locations import LocationCheck, require_local
from app.vault import keyslots as slotfile
from app.vault import login_failures
from app.vault.errors import (
    AccountDisabled,
    AuthenticationFailed,
    DiskFull,
    IndexEmpty,
    KeySlotsRolledBack,
    OlderCopy,
    TooManyAttempts,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    disk_full,
)
from app.vault.layout import PRIVATE_FOLDER, VaultLayout
from app.vault.recovery import new_recovery_key, normalise
from db.audit import AuditRepository
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

log = logging.getLogger("clinfile.vault")

RECOVERY_ACTOR = "recovery key"
ADMIN_ROLE = "admin"
NOTES_ID = "login_notes"
NOTES_FILED = "login_notes_filed_to"


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
        root.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        root.chmod(PRIVATE_FOLDER)
        params = params or Argon2Params()
        layout = VaultLayout(root)
        vault = cls(layout, str(uuid.uuid4()), os.urandom(KEY_BYTES), params)
        recovery_key = new_recovery_key()
        now = _now()
        notes_id = login_failures.start(layout.login_failures, vault.vault_id, vault.key)
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
                meta.put(NOTES_ID, notes_id)
                UserRepository(conn).add(admin_name, (ADMIN_ROLE,), now)
                vault.audit.append(conn, AuditEntry(admin_name, "vault.created",
                                                    detail={"vault_id": vault.vault_id}))
                row = vault.audit.append(conn, AuditEntry(admin_name, "user.added", admin_name,
                                                          {"roles": [ADMIN_ROLE]}))
        slotfile.write(layout.keyslots, replace(slots, latest=AuditMark.of(row)), vault.key)
        vault.audit.write_head(layout.audit_head, row)
        fsync_dir(root)
        return CreatedVault(vault, recovery_key, check.warnings)

    @classmethod
    def unlock(cls, root: Path, user_name: str, password: str, *,
               accept_older_copy: bool = False) -> tuple[Vault, UserRow]:
        """Unwrap the user's slot, open the index, and audit the login.

        ``accept_older_copy`` lets an admin go on with an index older than
        the one the vault last recorded (after restoring a file by hand, say);
        the acceptance is audited and the older copy becomes the latest.

        Raises:
            VaultNotFound, IndexEmpty, KeySlotsDamaged, AuthenticationFailed,
            AccountDisabled, TooManyAttempts, KeySlotsRolledBack, OlderCopy, DiskFull,
            NewerVaultError, MigrationFailed.
        """
        layout = _existing_layout(root)
        slots, seal = slotfile.read(layout.keyslots)
        slot_id = slotfile.user_slot_id(slots.vault_id, user_name)
        with _damage_reported("index"):
            master_key = _unwrap_or_note(layout, slots, slot_id, password)
            vault, older = cls._opened(layout, slots, seal, master_key,
                                       accept_older_copy=accept_older_copy)
            with vault.index() as conn:
                user = UserRepository(conn).by_name(user_name)
                if older and (user is None or user.disabled or ADMIN_ROLE not in user.roles):
                    vault.lock()
                    raise OlderCopy(older)
                if user is None or user.disabled:
                    vault.audit.record(conn, AuditEntry(user_name, "login.refused", user_name,
                                                        {"reason": "account disabled or removed"}))
                    vault.lock()
                    raise AccountDisabled() if user else AuthenticationFailed()
                if older:
                    vault._accept_older_copy(conn, user.name, older)
                vault._keep_privately(conn, user.name)
                vault._sweep_abandoned_partials()
                vault._file_login_notes(conn)
                vault.audit.record(conn, AuditEntry(user.name, "login.succeeded", user.name))
            vault.record_latest()
        return vault, user

    @classmethod
    def unlock_with_recovery(cls, root: Path, recovery_key: str) -> Vault:
        """Open the vault with the printed recovery key, for when no admin can log in."""
        layout = _existing_layout(root)
        slots, seal = slotfile.read(layout.keyslots)
        with _damage_reported("index"):
            master_key = _unwrap_or_note(layout, slots, slotfile.RECOVERY,
                                         normalise(recovery_key))
            vault, _ = cls._opened(layout, slots, seal, master_key)
            with vault.index() as conn:
                vault._file_login_notes(conn)
                vault.audit.record(conn, AuditEntry(RECOVERY_ACTOR, "login.recovery_key"))
            vault.record_latest()
        return vault

    @classmethod
    def _opened(cls, layout: VaultLayout, slots: slotfile.KeySlots, seal: slotfile.Seal,
                master_key: bytes, *, accept_older_copy: bool = False) -> tuple[Vault, str]:
        """Prove the key file, refuse an older index, then bring the schema up to date.

        Returns the vault and, when an older index is to be accepted, why it
        is older; the caller checks that an admin is accepting it.
        """
        slotfile.check_mac(slots, seal, master_key)
        vault = cls(layout, slots.vault_id, master_key, Argon2Params())
        with vault.index() as conn:
            older = vault._why_not_latest(conn, slots)
            if older and not accept_older_copy:
                vault.lock()
                raise OlderCopy(older)
            migrate(conn, before_upgrade=vault._copy_before_upgrade)
            vault._check_generation(conn, slots)
        return vault, older

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
        slots, seal = slotfile.read(self.layout.keyslots)
        slot_id = slotfile.user_slot_id(slots.vault_id, user_name)
        with _damage_reported("index"):
            master_key = _unwrap_or_note(self.layout, slots, slot_id, password)
        slotfile.check_mac(slots, seal, master_key)
        self._key = bytearray(master_key)
        self._locked = False

    # --- key slots ----------------------------------------------------------------

    def read_slots(self) -> slotfile.KeySlots:
        """Read the key-slot file and prove it was written with this vault's key."""
        slots, seal = slotfile.read(self.layout.keyslots)
        slotfile.check_mac(slots, seal, self.key)
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

    def record_latest(self, *, accepting: bool = False) -> None:
        """Write the index's newest audit row into the key-slot file, as the vault's generation.

        Done under the index's write lock, so no other process changes a slot
        meanwhile and the row written is the newest there is. A key file whose
        mark this index does not hold is left alone (the index was swapped
        under a running session), so the next unlock still refuses it, unless
        an admin is accepting this copy.
        """
        with self.index() as conn, transaction(conn):
            last = AuditRepository(conn).last()
            slots = self.read_slots()
            if last is None or slots.latest == AuditMark.of(last):
                return
            if slots.latest and not slots.latest.found_in(conn) and not accepting:
                return
            slotfile.write(self.layout.keyslots, replace(slots, latest=AuditMark.of(last)),
                           self.key)

    def _why_not_latest(self, conn: Connection, slots: slotfile.KeySlots) -> str:
        """Say why this index is not the latest the vault recorded; empty when it is."""
        try:
            head = self.audit.head()
        except ValueError:
            return "the record of its latest state, audit-head.json, is damaged"
        if head is None:
            return "the record of its latest state, audit-head.json, is missing"
        last = AuditRepository(conn).last()
        for mark in (head, slots.latest):
            if mark is None or mark.found_in(conn):
                continue
            reached = last.seq if last else 0
            if reached < mark.seq:
                return f"its history stops at entry {reached}, but the vault had reached {mark.seq}"
            return f"entry {mark.seq} of its history is not the one the vault recorded"
        return ""

    def _keep_privately(self, conn: Connection, actor: str) -> None:
        """Take back permissions that let others on this computer open the vault's files.

        A vault copied or restored with ordinary tools often arrives readable
        by everyone; the files are encrypted, but nobody else should even copy
        them. What was loose is put right and written into the audit.
        """
        loose = self.layout.loosely_kept()
        if not loose:
            return
        self.layout.keep_privately(loose)
        names = sorted(str(p.relative_to(self.layout.root)) for p in loose)
        self.audit.record(conn, AuditEntry(actor, "vault.permissions_tightened", "",
                                           {"paths": names}))
        log.warning("the vault's permissions were loose on %d files and folders; tightened",
                    len(loose))

    def _sweep_abandoned_partials(self) -> None:
        """Remove temporary files left by writers killed mid-write (never a live one's)."""
        for path in self.layout.abandoned_partial_files():
            path.unlink(missing_ok=True)
            log.info("removed a temporary file left by an interrupted write")

    def _accept_older_copy(self, conn: Connection, admin: str, why: str) -> None:
        """Audit an admin's acceptance and make this copy the latest from now on."""
        row = self.audit.record(conn, AuditEntry(admin, "vault.older_copy_accepted", "",
                                                 {"why": why}))
        self.audit.write_head(self.layout.audit_head, row)
        self._start_login_notes(conn)
        self.record_latest(accepting=True)

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

    def _file_login_notes(self, conn: Connection) -> None:
        """File the failed attempts noted since the last unlock into the audit trail.

        The index remembers which notes file it expects and how many notes it
        has filed; a file that was replaced or cut short is left as it is, for
        verification to report. A vault made before notes were kept starts
        its file now.
        """
        meta = MetaRepository(conn)
        if meta.get(NOTES_ID) is None:
            self._start_login_notes(conn)
            return
        row = None
        with transaction(conn):
            filed = int(meta.get(NOTES_FILED) or 0)
            found = login_failures.read(self.layout.login_failures, self.vault_id, self.key,
                                        since=filed)
            if found.log_id != meta.get(NOTES_ID) or found.size < filed:
                return
            names = {slotfile.user_slot_id(self.vault_id, u.name): u.name
                     for u in UserRepository(conn).all()}
            names[slotfile.RECOVERY] = RECOVERY_ACTOR
            for attempt in found.notes:
                if attempt is None or not attempt.failed:
                    continue
                actor = names.get(attempt.slot, "unknown user name")
                row = self.audit.append(conn, AuditEntry(
                    actor, "login.failed", actor,
                    {"reason": attempt.reason, "attempted_at": attempt.at}))
            meta.put(NOTES_FILED, str(found.end))
        if row is not None:
            self.audit.publish_head(row)

    def _start_login_notes(self, conn: Connection) -> None:
        """Begin a new notes file and record in the index that it is the one to expect."""
        with transaction(conn):
            log_id = login_failures.start(self.layout.login_failures, self.vault_id, self.key)
            meta = MetaRepository(conn)
            meta.put(NOTES_ID, log_id)
            meta.put(NOTES_FILED, "0")


@contextlib.contextmanager
def _damage_reported(what: str) -> Iterator[None]:
    """Turn SQLCipher's low-level failures into what they mean: a full disk, or damage."""
    try:
        yield
    except (NotEncryptedWithThisKey, UnsafeDatabaseFile, DatabaseError, OSError) as exc:
        if disk_full(exc):
            raise DiskFull() from exc
        if isinstance(exc, OSError):
            raise
        raise VaultDamaged(what) from exc


def _existing_layout(root: Path) -> VaultLayout:
    """Find the vault's files, refusing a folder without an index or with an empty one.

    An empty index is what a copy cut off by a full disk leaves; SQLCipher
    would open it as a new database, which would look like a wrong password.
    """
    layout = VaultLayout(Path(root))
    if not layout.index.is_file():
        raise VaultNotFound(f"There is no Clinfile vault in {root}.")
    if layout.index.stat().st_size == 0:
        raise IndexEmpty()
    return layout


def _unwrap_or_note(layout: VaultLayout, slots: slotfile.KeySlots, slot_id: str,
                    secret: str) -> bytes:
    """Unwrap a slot, noting the attempt for the audit; raise a person-readable error.

    A name with several wrong passwords in a row must wait before its next
    try, so guessing at the window or the command line is impractical.
    """
    path, vault_id = layout.login_failures, slots.vault_id
    notes = login_failures.recent(path, vault_id)
    wait = login_failures.wait_before(notes, slot_id, datetime.now(UTC))
    if wait:
        login_failures.note(path, vault_id, slot_id, login_failures.THROTTLED)
        raise TooManyAttempts(wait.total_seconds())
    try:
        master_key = slotfile.open_slot(slots, slot_id, secret)
    except slotfile.NoSuchSlot:
        slotfile.waste_equal_time()
        login_failures.note(path, vault_id, slot_id, "unknown user name")
        raise AuthenticationFailed() from None
    except slotfile.SlotDisabled:
        login_failures.note(path, vault_id, slot_id, "account disabled")
        raise AccountDisabled() from None
    except slotfile.WrongSecret:
        login_failures.note(path, vault_id, slot_id, "wrong password")
        raise AuthenticationFailed() from None
    login_failures.note(path, vault_id, slot_id, login_failures.UNLOCKED)
    return master_key


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
