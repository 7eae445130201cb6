"""Creating, unlocking and locking a vault.

A vault is a folder. Its master key is random and never stored in the clear:
each user's password opens their own slot in the key-slot file, and the slot
hands over the master key. An admin's login also unwraps the key that seals
the audit trail, and seals it. An index older than the one the vault last
recorded (its newest audit row, kept in the audit head and the key-slot
file) is refused unless an admin accepts it. While unlocked, the key sits in one mutable buffer
that :meth:`Vault.lock` overwrites; connections are opened per task (a raw
key opens in a tenth of a millisecond) so none outlives a lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.audit import AuditedWork, AuditEntry, AuditMark, AuditTrail
from clinfile.app.custody.crypto import (
    KEY_BYTES,
    Argon2Params,
    b64,
    derive_key,
    new_signing_key,
    signing_public,
    unb64,
)
from clinfile.app.custody.locations import LocationCheck, require_local
from clinfile.app.custody.seal import (
    SealReport,
    seal_head,
    seal_report,
    since_stated,
    since_statement,
)
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault import login_failures, seal_keys, seal_memory
from clinfile.app.vault.errors import (
    AccountDisabled,
    AuthenticationFailed,
    DiskFull,
    IndexEmpty,
    KeysChanged,
    KeySlotsRolledBack,
    OlderCopy,
    PasswordExpired,
    TooManyAttempts,
    VaultBusy,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    disk_full,
)
from clinfile.app.vault.layout import PRIVATE_FOLDER, VaultLayout
from clinfile.app.vault.recovery import new_recovery_key, normalise
from clinfile.app.vault.seal_keys import SealKeyNotHeld
from clinfile.db.audit import AuditRepository, SealRow
from clinfile.db.blobs import BlobStore
from clinfile.db.connection import (
    INDEX_PROFILE,
    Connection,
    DatabaseError,
    NotEncryptedWithThisKey,
    UnsafeDatabaseFile,
    export_copy,
    fsync_dir,
    is_busy,
    open_encrypted,
    rekey_in_place,
    transaction,
)
from clinfile.db.schema import migrate
from clinfile.db.settings import MetaRepository
from clinfile.db.users import UserRepository, UserRow

log = logging.getLogger("clinfile.vault")

RECOVERY_ACTOR = "recovery key"
ADMIN_ROLE = "admin"
NOTES_ID = "login_notes"
NOTES_FILED = "login_notes_filed_to"
AUDIT_KEY = "audit_key"
NOTES_DETAIL = "login_notes"
LOGIN_ACTIONS = ("login.succeeded", "login.recovery_key")


@dataclass(frozen=True)
class CreatedVault:
    """A new vault, unlocked, with the recovery key to show once and the location's warnings."""

    vault: Vault
    recovery_key: str
    warnings: list[str]


class Vault:
    """An unlocked vault: its layout, its key, and the means to reach its files."""

    def __init__(self, layout: VaultLayout, vault_id: str, master_key: bytes,
                 params: Argon2Params, *, epoch: int = 1) -> None:
        self.layout = layout
        self.vault_id = vault_id
        self.params = params
        self.epoch = epoch
        self._key = bytearray(master_key)
        self._audit_key = bytearray(derive_key(master_key, "audit"))
        self._older_keys: list[bytearray] = []
        self._seal_key = bytearray()
        self.seal_pin = b""
        self._slot_id = ""
        self._opened: slotfile.Opened | None = None
        self._locked = False
        self._keys_held = threading.Lock()
        self.audit_watchers: list[Callable[[], None]] = []
        self._sealer = ""
        self._sealing = threading.local()
        self._seal_lock = threading.RLock()
        self._own_from = 0
        self.seal_notes: list[str] = []

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
        now = clock.stamp()
        notes_id = login_failures.start(layout.login_failures, vault.vault_id, vault.key)
        seal_private, seal_public = new_signing_key()
        vault._seal_key, vault.seal_pin = bytearray(seal_private), seal_public
        from_start = AuditMark(0, "")
        slots = slotfile.KeySlots(vault.vault_id, 1, (), seal_key=b64(seal_public),
                                  sealing_since=since_statement(vault.vault_id, from_start,
                                                                seal_private))
        for slot_id, secret in ((slotfile.RECOVERY, recovery_key),
                                (slotfile.user_slot_id(vault.vault_id, admin_name),
                                 admin_password)):
            pin_key = slotfile.new_pin_key()
            slot = slotfile.make_slot(slot_id, slots, vault.key, secret, params,
                                      seal_pin=seal_public, pin_key=pin_key,
                                      sealing_since=from_start)
            slots = slots.with_slot(seal_keys.given_slot(slots, slot, seal_private, pin_key,
                                                         admin=True))
        slots = replace(slots, generation=1)
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
                seal_head(conn, vault.vault_id, seal_private, admin_name)
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
            opened = _unwrap_or_note(layout, slots, slot_id, password)
            vault, older = cls._opened(layout, slots, seal, opened.master_key,
                                       accept_older_copy=accept_older_copy)
            vault._hold_slot(slot_id, opened)
            with vault.index() as conn:
                vault._own_from = vault._next_row(conn)
                user = UserRepository(conn).by_name(user_name)
                if older and (user is None or user.disabled or ADMIN_ROLE not in user.roles):
                    vault.lock()
                    raise OlderCopy(older)
                if user is None or user.disabled:
                    vault.audit.record(conn, AuditEntry(user_name, "login.refused", user_name,
                                                        {"reason": "account disabled or removed"}))
                    vault.lock()
                    raise AccountDisabled() if user else AuthenticationFailed()
                if accept_older_copy and not older and ADMIN_ROLE in user.roles:
                    older = vault._later_seal_on_this_computer(conn)
                if older:
                    vault._accept_older_copy(conn, user.name, older)
                vault._keep_privately(conn, user.name)
                vault._sweep_abandoned_partials()
                notes = vault._file_login_notes(conn)
                vault._file_restore_note(conn, user.name)
                vault.audit.record(conn, AuditEntry(user.name, "login.succeeded", user.name,
                                                    notes))
                vault._after_login(conn, user.name, admin=ADMIN_ROLE in user.roles)
            vault.record_latest()
        return vault, user

    @classmethod
    def unlock_with_recovery(cls, root: Path, recovery_key: str) -> Vault:
        """Open the vault with the printed recovery key, for when no admin can log in."""
        layout = _existing_layout(root)
        slots, seal = slotfile.read(layout.keyslots)
        with _damage_reported("index"):
            opened = _unwrap_or_note(layout, slots, slotfile.RECOVERY, normalise(recovery_key))
            vault, _ = cls._opened(layout, slots, seal, opened.master_key)
            vault._hold_slot(slotfile.RECOVERY, opened)
            with vault.index() as conn:
                vault._own_from = vault._next_row(conn)
                notes = vault._file_login_notes(conn)
                vault._file_restore_note(conn, RECOVERY_ACTOR)
                vault.audit.record(conn, AuditEntry(RECOVERY_ACTOR, "login.recovery_key", "",
                                                    notes))
                vault._after_login(conn, RECOVERY_ACTOR, admin=True)
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
        _finish_key_change(layout, slots, master_key)
        _refuse_an_older_key_file(layout, slots.vault_id, master_key)
        vault = cls(layout, slots.vault_id, master_key, Argon2Params(), epoch=slots.epoch)
        with vault.index() as conn:
            vault._load_keys(conn)
            older = vault._why_not_latest(conn, slots)
            if older:
                with transaction(conn):
                    older = vault._why_not_latest(conn, vault.read_slots())
            if older and not accept_older_copy:
                vault.lock()
                raise OlderCopy(older)
            migrate(conn, before_upgrade=vault._copy_before_upgrade)
            vault._load_keys(conn)
            vault._check_generation(conn, slots)
        return vault, older

    def _load_keys(self, conn: Connection) -> None:
        """Take from the index the audit key kept across key changes, and the retired keys."""
        stored = MetaRepository(conn).get(AUDIT_KEY)
        if stored:
            self._audit_key = bytearray(bytes.fromhex(stored))
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'retired_key'").fetchone():
            self._older_keys = [bytearray(row[0]) for row in conn.execute(
                "SELECT key FROM retired_key ORDER BY epoch DESC")]

    @staticmethod
    def _next_row(conn: Connection) -> int:
        """The number the next audit row will have: this login's rows start there."""
        last = AuditRepository(conn).last()
        return (last.seq if last else 0) + 1

    def _hold_slot(self, slot_id: str, opened: slotfile.Opened) -> None:
        """Keep what the login opened while unlocked, to seal and to rewrite the slot's payload."""
        self._slot_id, self._opened = slot_id, opened

    # --- while unlocked -----------------------------------------------------------

    @property
    def key(self) -> bytes:
        """The master key; raises VaultLocked once the vault is locked."""
        with self._keys_held:
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
        never shared across threads. A connection that stops reading because
        another process changed the keys meanwhile says so (KeysChanged).
        """
        try:
            conn = open_encrypted(self.layout.index, self.key, INDEX_PROFILE, create=create)
        except NotEncryptedWithThisKey:
            self._refuse_if_keys_changed()
            raise
        try:
            yield conn
        except DatabaseError:
            self._refuse_if_keys_changed()
            raise
        finally:
            conn.close()

    @property
    def blobs(self) -> BlobStore:
        """The store of image bytes; new ones go to this key epoch's shards.

        Raises:
            KeysChanged: an admin changed the master key since this vault was unlocked.
        """
        self._refuse_if_keys_changed()
        with self._keys_held:
            if self._locked:
                raise VaultLocked()
            key, older = bytes(self._key), [bytes(k) for k in self._older_keys]
        return BlobStore(self.layout.blobs, key, epoch=self.epoch, older_keys=older)

    @property
    def audit(self) -> AuditTrail:
        """The audit trail."""
        with self._keys_held:
            if self._locked:
                raise VaultLocked()
            audit_key = bytes(self._audit_key)
        return AuditTrail(audit_key, self.layout.audit_head, self._audit_written)

    @contextlib.contextmanager
    def audited(self, conn: Connection | None = None, *, head_failure_logged: bool = False
                ) -> Iterator[AuditedWork]:
        """One unit of work: writes and their audit rows in one transaction, then the head.

        Every write to the index that is audited goes through here (on the
        caller's connection, or one opened for the unit), so the rows commit
        with the act and the audit head moves on after the commit without
        anyone having to remember it. See :meth:`AuditTrail.unit`.
        """
        with contextlib.ExitStack() as opened:
            if conn is None:
                conn = opened.enter_context(self.index())
            with self.audit.unit(conn, head_failure_logged=head_failure_logged) as work:
                yield work

    def _audit_written(self) -> None:
        for watcher in self.audit_watchers:
            watcher()
        self._seal_own_act()

    def _seal_own_act(self) -> None:
        """Seal an admin's act as soon as it is committed, so it is never left unsealed.

        The seal a tampering finding would refuse is not tried again by that
        finding's own audit row. The act is committed already: a seal that
        cannot be written now (a full disk, a long lock) is logged, and the
        next act, lock or login seals it. Another admin's process changing
        the keys just after the commit leaves this one locked; that admin's
        own act, sealed at once, seals this one with it.
        """
        if not self._sealer or not self.holds_seal_key or getattr(self._sealing, "on", False):
            return
        self._sealing.on = True
        try:
            self.seal_audit(self._sealer, latest_only=True)
        except KeysChanged:
            log.warning("the keys changed just after an act; the act stands and is sealed "
                        "with the change of keys")
        except (DatabaseError, OSError):
            log.warning("an act could not be sealed yet; the next act or login seals it",
                        exc_info=True)
        finally:
            self._sealing.on = False

    @property
    def holds_seal_key(self) -> bool:
        """Whether this login may seal the audit trail (an admin's, or the recovery key's)."""
        return bool(self._seal_key) and not self._locked

    def lock(self) -> None:
        """Overwrite the keys in memory; every later use raises VaultLocked.

        The vault is marked locked before a byte is overwritten, and no key
        is read meanwhile, so a task on another thread gets VaultLocked and
        never a key half overwritten.
        """
        with self._keys_held:
            self._locked = True
            for secret in (self._key, self._audit_key, self._seal_key, *self._older_keys):
                for i in range(len(secret)):
                    secret[i] = 0
            self._older_keys, self._opened = [], None

    def audit_key_hex(self) -> str:
        """The audit chain's key, to keep in the index when the master key changes."""
        return bytes(self._audit_key).hex()

    def older_keys(self) -> list[bytes]:
        """Master keys retired by key changes whose files are not all re-keyed yet."""
        return [bytes(k) for k in self._older_keys]

    def adopt_key(self, master_key: bytes, epoch: int) -> None:
        """Go on with a new master key this process has just made; older keys from the index."""
        self._key = bytearray(master_key)
        self.epoch = epoch
        with self.index() as conn:
            self._load_keys(conn)

    def forget_older_keys(self) -> None:
        """Drop the retired keys from memory once every file is under the current key."""
        for secret in self._older_keys:
            for i in range(len(secret)):
                secret[i] = 0
        self._older_keys = []

    def _refuse_if_keys_changed(self) -> None:
        """Lock and raise KeysChanged when the key file has moved to a newer master key.

        Another process (an admin disabling someone) may change the keys
        while this one is unlocked; from then on this process's key opens
        nothing new, and writing with it would hand new pictures to the old
        key. Its person logs in again and goes on with the new key.
        """
        if self.keys_changed_elsewhere():
            self.lock()
            raise KeysChanged()

    def keys_changed_elsewhere(self) -> bool:
        """Whether the key file has moved to a newer master key than this process holds."""
        try:
            return slotfile.read(self.layout.keyslots)[0].epoch > self.epoch
        except slotfile.KeySlotsDamaged:
            return False

    def shut_out(self, user_name: str) -> bool:
        """Whether an admin has disabled this user's key slot (or taken it away).

        Read without the key, from the key file alone: a window whose key
        is out of date, or already dropped, can still learn why.
        """
        try:
            slots, _seal = slotfile.read(self.layout.keyslots)
            return slots.slot(slotfile.user_slot_id(self.vault_id, user_name)).state != "active"
        except slotfile.NoSuchSlot:
            return True
        except slotfile.KeySlotsDamaged:
            return False

    def last_act_mark(self) -> tuple[int, int]:
        """When and how the audit head was last written: it moves with every act, anywhere.

        Read from the file's stamp, without the key, so a window can notice
        that another computer or the command line has changed the vault.
        """
        try:
            stat = self.layout.audit_head.stat()
        except FileNotFoundError:
            return (0, 0)
        return (stat.st_mtime_ns, stat.st_size)

    def relock_check(self, user_name: str, password: str) -> None:
        """Unlock a locked vault again with the same user's password.

        Raises:
            AuthenticationFailed: the password does not open this user's slot.
        """
        slots, seal = slotfile.read(self.layout.keyslots)
        slot_id = slotfile.user_slot_id(slots.vault_id, user_name)
        with _damage_reported("index"):
            opened = _unwrap_or_note(self.layout, slots, slot_id, password)
        slotfile.check_mac(slots, seal, opened.master_key)
        with self._keys_held:
            self._key = bytearray(opened.master_key)
            self._audit_key = bytearray(derive_key(opened.master_key, "audit"))
            self.epoch = slots.epoch
            self._locked = False
        self._hold_slot(slot_id, opened)
        trust = seal_keys.trusted_seal_key(slots, slot_id, opened)
        if not trust.problem:
            self._seal_key = bytearray(trust.private)
        with self.index() as conn:
            self._load_keys(conn)

    # --- key slots ----------------------------------------------------------------

    def read_slots(self) -> slotfile.KeySlots:
        """Read the key-slot file and prove it was written with this vault's key.

        Raises:
            KeysChanged: another process has moved the file to a newer master key.
        """
        slots, seal = slotfile.read(self.layout.keyslots)
        if slots.epoch > self.epoch:
            self.lock()
            raise KeysChanged()
        slotfile.check_mac(slots, seal, self.key)
        return slots

    def set_user_slot(self, conn: Connection, user_name: str, password: str, *,
                      admin: bool = False) -> None:
        """Give a user's (new) password its own slot; nothing is re-encrypted.

        An admin's slot is only made by a login that holds the audit-seal
        key: it gets the key and pins its public half. Any slot made by such
        a login gets a pin box, so an admin can vouch for it later; a person
        changing their own password keeps the pin key and box they had.
        Call inside the caller's transaction: the index records the new
        generation in the same commit as the user change, and the file is
        written just before, so a crash between them leaves a file newer
        than the index, which the next unlock accepts.

        Raises:
            SealKeyNotHeld: an admin's slot, and this login cannot give it the seal key.
        """
        self._make_slot(conn, slotfile.user_slot_id(self.vault_id, user_name), password,
                        admin=admin)

    def set_recovery_slot(self, conn: Connection, recovery_key: str) -> None:
        """Give a new recovery key the recovery slot, holding the seal key as admins do."""
        self._make_slot(conn, slotfile.RECOVERY, normalise(recovery_key),
                        admin=self.holds_seal_key)

    def _make_slot(self, conn: Connection, slot_id: str, secret: str, *, admin: bool) -> None:
        if admin and not self.holds_seal_key:
            raise SealKeyNotHeld()
        slots = self.read_slots()
        own = slot_id == self._slot_id and self._opened is not None
        pin_key = self._opened.pin_key if own else b""
        if self.holds_seal_key and not pin_key:
            pin_key = slotfile.new_pin_key()
        slot = slotfile.make_slot(slot_id, slots, self.key, secret, self.params,
                                  seal_pin=self.seal_pin if admin else b"", pin_key=pin_key,
                                  sealing_since=self._sealed_since(slots)[0] if admin else None)
        if self.holds_seal_key:
            slot = seal_keys.given_slot(slots, slot, bytes(self._seal_key), pin_key,
                                        admin=admin)
        elif own:
            old = slots.slot(slot_id)
            slot = replace(slot, pin_box=old.pin_box, vouch=old.vouch)
        self.store_slots(conn, slots.with_slot(slot))

    def set_seal_key_for(self, conn: Connection, user_name: str, *, admin: bool) -> None:
        """Give a new admin the seal key with a vouch; renew the key when someone stops being one.

        Raises:
            SealKeyNotHeld: this login does not hold the seal key.
            SlotCannotBeVouched: the user's slot predates vouches (set a new password first).
        """
        slots = self.read_slots()
        slot = slots.slot(slotfile.user_slot_id(self.vault_id, user_name))
        if slot.state != "active" or slot.legacy or admin == bool(slot.seal):
            return
        if not self.holds_seal_key:
            raise SealKeyNotHeld()
        if admin:
            self.store_slots(conn, slots.with_slot(
                seal_keys.made_admin(slots, slot, bytes(self._seal_key), user_name)))
        else:
            self._renew_seal_key(conn, slots, leaving=slot.id)

    def disable_user_slot(self, conn: Connection, user_name: str) -> None:
        """Erase a user's wrapped key so their password no longer opens the vault.

        An admin's leaving renews the seal key for those who remain.

        Raises:
            SealKeyNotHeld: the user held the seal key and this login does not.
        """
        slots = self.read_slots()
        slot = slots.slot(slotfile.user_slot_id(self.vault_id, user_name))
        if slot.seal and not self.holds_seal_key:
            raise SealKeyNotHeld()
        slots = slots.with_slot(slotfile.disabled(slot))
        if slot.seal:
            self._renew_seal_key(conn, slots, leaving=slot.id)
        else:
            self.store_slots(conn, slots)

    def _renew_seal_key(self, conn: Connection, slots: slotfile.KeySlots, *,
                        leaving: str) -> None:
        """Give the admins who remain a new seal key; the old one seals nothing after now.

        Call inside the caller's transaction. This login's own payload pins
        the new key at once; other admins' slots carry a vouch for it.
        """
        admins = {slotfile.user_slot_id(self.vault_id, u.name)
                  for u in UserRepository(conn).all()
                  if ADMIN_ROLE in u.roles and not u.disabled} | {slotfile.RECOVERY}
        admins.discard(leaving)
        last = AuditRepository(conn).last()
        slots, private = seal_keys.renewed(slots, bytes(self._seal_key), admins,
                                           AuditMark.of(last) if last else None)
        if self._slot_id == leaving:
            self._seal_key, self.seal_pin = bytearray(), b""
        else:
            self._seal_key, self.seal_pin = bytearray(private), signing_public(private)
            slots = self._own_payload_rewritten(slots)
        self.store_slots(conn, slots)
        log.info("the audit seal key was renewed for the admins who remain")

    def _own_payload_rewritten(self, slots: slotfile.KeySlots) -> slotfile.KeySlots:
        """Pin this login's current seal key in its own payload, when its password is at hand."""
        if self._opened is None or not self._opened.wrapping_key:
            return slots
        slot, self._opened = slotfile.with_payload(
            slots, slots.slot(self._slot_id), self._opened, seal_pin=self.seal_pin,
            last_seal=self._opened.last_seal)
        return slots.with_slot(slot)

    def seal_audit(self, actor: str, *, latest_only: bool = False) -> SealRow | None:
        """Sign the audit trail's newest row, if the trail before the last seal still holds.

        A trail found changed is not sealed over (that would bless the
        change): the finding is recorded instead, for verification and the
        admin to see. ``latest_only`` checks only the newest seal, as each
        act's seal does. Returns the new seal, or None when none was made.
        """
        with self._seal_lock:
            if not self.holds_seal_key:
                return None
            self._sealer = self._sealer or actor
            slots = self.read_slots()
            retired, _ = seal_keys.retired_keys(slots, self.seal_pin)
            since, since_problem = self._sealed_since(slots)
            with self.index() as conn:
                report = seal_report(conn, self.vault_id, self.seal_pin,
                                     self._opened.last_seal if self._opened else None,
                                     retired, self._remembered_seals(slots),
                                     on_this_computer=seal_memory.recalled(
                                         self.vault_id, self.layout.root, self._slot_id),
                                     latest_only=latest_only, since=since,
                                     admins=self._admins(conn), own_from=self._own_from)
                if since_problem:
                    report.problems.append(since_problem)
                if report.problems:
                    self._sealer = ""
                    self.audit.record(conn, AuditEntry(actor, "audit.tampering_found", "",
                                                       {"problems": report.problems}))
                    log.warning("the audit trail does not match its seals; not sealing over it")
                    return None
                if report.cut_short:
                    self._say_cut_short_sealed(conn, actor, report)
                with transaction(conn):
                    sealed = seal_head(conn, self.vault_id, bytes(self._seal_key), actor)
                if sealed is not None:
                    self._remember_seal(conn, sealed)
            return sealed

    def _say_cut_short_sealed(self, conn: Connection, actor: str, report: SealReport) -> None:
        """Record that rows left unsealed by a stopped process are sealed now, and say so."""
        first, last = report.cut_short[0], report.cut_short[-1]
        rows = (f"Row {first.seq}" if first is last
                else f"Rows {first.seq} to {last.seq}")
        self.seal_notes.append(
            f"{rows} ({first.action} by {first.actor}) had been committed but not sealed, as "
            "when Clinfile is stopped between an act and its seal; they are sealed now.")
        self._sealing.on = True
        try:
            self.audit.record(conn, AuditEntry(actor, "audit.unsealed_act_sealed", first.actor,
                                               {"rows": [first.seq, last.seq]}))
        finally:
            self._sealing.on = False

    def _sealed_since(self, slots: slotfile.KeySlots) -> tuple[AuditMark | None, str]:
        """The row from which every admin act is sealed at once, as this login trusts it.

        The key file states it, signed by the seal key; an admin's own slot
        pins it too, so a statement taken out or swapped shows to them.
        Returns the row (None for a vault from before) and what is wrong.
        """
        trusted = self.seal_pin or (unb64(slots.seal_key) if slots.seal_key else b"")
        stated = since_stated(self.vault_id, slots.sealing_since, trusted)
        pinned = self._opened.sealing_since if self._opened else None
        if slots.sealing_since and stated is None:
            return pinned, ("tampering: the key file's record of the row from which every admin "
                            "act is sealed was changed outside Clinfile")
        if pinned is not None and stated != pinned:
            return pinned, (f"tampering: the key file no longer says that every admin act after "
                            f"row {pinned.seq} is sealed, as your key slot remembers: that "
                            "record was taken out or changed")
        return stated, ""

    def _admins(self, conn: Connection) -> frozenset[str]:
        """Everyone whose acts are sealed as they are made: admins, and the recovery key."""
        return frozenset({u.name for u in UserRepository(conn).all()
                          if ADMIN_ROLE in u.roles} | {RECOVERY_ACTOR})

    def _remembered_seals(self, slots: slotfile.KeySlots) -> tuple[SealRow, ...]:
        """The last seal each other admin made, as their slots in the key file keep it."""
        return tuple(SealRow(**slot.sealed) for slot in slots.slots
                     if slot.sealed and slot.id != self._slot_id)

    def seal_report(self) -> SealReport:
        """How far the audit trail is sealed, checked against the seal key this login trusts.

        The trusted key is the one the person's own password pinned; a key
        file whose seal key differs from it was changed by someone else.
        """
        slots = self.read_slots()
        in_file = unb64(slots.seal_key) if slots.seal_key else b""
        trusted = self.seal_pin or in_file
        retired, history_problem = seal_keys.retired_keys(slots, trusted)
        since, since_problem = self._sealed_since(slots)
        with self.index() as conn:
            report = seal_report(conn, self.vault_id, trusted,
                                 self._opened.last_seal if self._opened else None, retired,
                                 self._remembered_seals(slots),
                                 on_this_computer=seal_memory.recalled(
                                     self.vault_id, self.layout.root, self._slot_id),
                                 since=since, admins=self._admins(conn),
                                 own_from=self._own_from)
        if since_problem:
            report.problems.append(since_problem)
        report.sealed_before = bool(in_file or self.seal_pin or retired)
        if history_problem:
            report.problems.append(history_problem)
        if self.seal_pin and in_file != self.seal_pin:
            report.problems.append(
                "tampering: the key file's audit seal key is not the practice's (it was "
                "replaced outside Clinfile)")
        elif not self.seal_pin and slots.seal_key and self._opened is not None:
            trust = seal_keys.trusted_seal_key(slots, self._slot_id, self._opened)
            report.problems.append(trust.problem or seal_keys.NOT_VOUCHED)
        return report

    def _remember_seal(self, conn: Connection, seal: SealRow) -> None:
        """Note in this login's own slot the last seal it made, for itself and for other admins.

        Only the owner's password can rewrite the payload's memory; the
        signed copy beside it lets every other admin's verify see the seal.
        The slot's pin key, new at each admin login, is boxed and vouched
        again with it, so an admin who has since left cannot vouch for it.
        The same write moves the vault's generation mark on to the sealed
        row, so locking or logging in right after has no key file to write.
        """
        if self._opened is None or not self._opened.wrapping_key:
            return
        mark = AuditMark(seal.seq, seal.hash)
        with transaction(conn):
            slots = self._sealing_since_kept(self.read_slots(), mark)
            slot, self._opened = slotfile.with_payload(
                slots, slots.slot(self._slot_id), self._opened, seal_pin=self.seal_pin,
                last_seal=mark)
            slot = replace(slot, sealed=asdict(seal))
            if self.holds_seal_key:
                slot = seal_keys.given_slot(slots, slot, bytes(self._seal_key),
                                            self._opened.pin_key, admin=True)
            slots = slots.with_slot(slot)
            if slots.latest is None or slots.latest.seq < seal.seq:
                slots = replace(slots, latest=mark)
            self.store_slots(conn, slots)
        seal_memory.remember(self.vault_id, self.layout.root, self._slot_id, seal)

    def _sealing_since_kept(self, slots: slotfile.KeySlots,
                            mark: AuditMark) -> slotfile.KeySlots:
        """Pin in this login's payload the row from which acts are sealed at once.

        A vault from before that record gets it now, at this seal: from here
        on every admin act is sealed as it is made. Called with the seal key held.
        """
        since, _ = self._sealed_since(slots)
        if since is None and not slots.sealing_since:
            since = mark
            slots = replace(slots, sealing_since=since_statement(
                self.vault_id, mark, bytes(self._seal_key)))
        if since is not None:
            self._opened = replace(self._opened, sealing_since=since)
        return slots

    def _after_login(self, conn: Connection, actor: str, *, admin: bool) -> None:
        """Upgrade a legacy slot; for an admin, take the seal key and seal the trail."""
        slots = self.read_slots()
        slot = slots.slot(self._slot_id)
        if slot.legacy:
            slot, self._opened = slotfile.with_payload(slots, slot, self._opened,
                                                       seal_pin=b"", last_seal=None)
            slots = slots.with_slot(slot)
            with transaction(conn):
                self.store_slots(conn, slots)
        if not admin:
            return
        self._take_seal_key(conn, slots, actor)
        self._sealer = actor
        self.seal_audit(actor)

    def _take_seal_key(self, conn: Connection, slots: slotfile.KeySlots, actor: str) -> None:
        """Unwrap the seal key from this admin's slot, if their slot vouches for it.

        A vault made before seals gets its seal key from its first admin
        login. A seal key that is not the one this admin's password pinned,
        nor one an admin vouched for in their slot, was put there by someone
        else, or nobody vouched for it: it is not used, and this is recorded.
        """
        if not slots.seal_key:
            self._start_sealing(conn, slots)
            return
        trust = seal_keys.trusted_seal_key(slots, self._slot_id, self._opened)
        self.seal_pin = trust.pin
        if trust.problem:
            self.audit.record(conn, AuditEntry(actor, "audit.seal_key_not_vouched"
                                               if trust.problem == seal_keys.NOT_VOUCHED
                                               else "audit.seal_key_replaced", "", {}))
            log.warning("the audit seal key in the key file is not vouched for by this slot")
            return
        self._seal_key = bytearray(trust.private)
        if self._seal_key:
            self._opened = replace(self._opened, pin_key=slotfile.new_pin_key())

    def _start_sealing(self, conn: Connection, slots: slotfile.KeySlots) -> None:
        """Make the seal key of a vault from before seals, for every admin slot that can hold it."""
        private, public = new_signing_key()
        self._seal_key, self.seal_pin = bytearray(private), public
        slots = replace(slots, seal_key=b64(public))
        admins = {slotfile.user_slot_id(self.vault_id, u.name) for u in UserRepository(conn).all()
                  if ADMIN_ROLE in u.roles and not u.disabled}
        for slot in slots.slots:
            if slot.state == "active" and not slot.legacy and slot.id in admins | {
                    slotfile.RECOVERY}:
                slots = slots.with_slot(slotfile.with_seal_key(slots, slot, private))
        with transaction(conn):
            self.store_slots(conn, slots)

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
        """Audit an admin's acceptance and make this copy the latest from now on.

        The admin's own memory of their last seal is let go too: seals the
        older copy lacks were given up with the rows they sealed, on the record.
        """
        if self._opened is not None:
            self._opened = replace(self._opened, last_seal=None)
        seal_memory.forget(self.vault_id, self.layout.root, self._slot_id)
        self._forget_seals_not_in(conn)
        row = self.audit.record(conn, AuditEntry(admin, "vault.older_copy_accepted", "",
                                                 {"why": why}))
        self.audit.write_head(self.layout.audit_head, row)
        self._start_login_notes(conn)
        self.record_latest(accepting=True)

    def _later_seal_on_this_computer(self, conn: Connection) -> str:
        """Say why the vault is older than this computer remembers; empty when it is not."""
        seal = seal_memory.recalled(self.vault_id, self.layout.root, self._slot_id)
        if seal is None or AuditMark(seal.seq, seal.hash).found_in(conn):
            return ""
        return f"this computer remembers a seal of entry {seal.seq} the vault no longer holds"

    def _forget_seals_not_in(self, conn: Connection) -> None:
        """Let go of the seals other admins' slots remember that the accepted copy lacks.

        A row from which acts are sealed at once that the copy lacks is let
        go too, with this login's pin of it: its next seal records a new one.
        """
        slots = self.read_slots()
        lost = [s for s in slots.slots if s.sealed and not AuditMark(
            int(s.sealed["seq"]), str(s.sealed["hash"])).found_in(conn)]
        for slot in lost:
            slots = slots.with_slot(replace(slot, sealed={}))
        since, _ = self._sealed_since(slots)
        since_lost = since is not None and since.seq > 0 and not since.found_in(conn)
        if since_lost:
            slots = replace(slots, sealing_since={})
            if self._opened is not None:
                self._opened = replace(self._opened, sealing_since=None)
        if lost or since_lost:
            with transaction(conn):
                self.store_slots(conn, slots)

    def _check_generation(self, conn: Connection, slots: slotfile.KeySlots) -> None:
        """Refuse a key file older than the index records; record a newer one.

        Another login (an admin's, sealing) may rewrite the key file between
        this process reading it and opening the index. Under the index's
        write lock no writer stands between the file and the index, so a file
        that looked older is read again there before it is called a copy put back.
        """
        meta = MetaRepository(conn)
        if slots.generation == int(meta.get("keyslots_generation") or 0):
            return
        with transaction(conn):
            recorded = int(meta.get("keyslots_generation") or 0)
            if slots.generation < recorded:
                slots = self.read_slots()
            if slots.generation < recorded:
                self.lock()
                raise KeySlotsRolledBack()
            if slots.generation > recorded:
                meta.put("keyslots_generation", str(slots.generation))

    def _copy_before_upgrade(self, version: int) -> None:
        self.layout.pre_migration.mkdir(exist_ok=True, mode=0o700)
        stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
        dest = self.layout.pre_migration / f"index-v{version}-{stamp}.db"
        with self.index() as conn:
            export_copy(conn, dest, self.key, INDEX_PROFILE)

    def _file_restore_note(self, conn: Connection, actor: str) -> None:
        """Record in the audit trail the restore this vault came from, if one left word of it.

        ``clinfile restore`` runs without a login (see ``backup.restore_backup``);
        the first login after it records when the restore happened and from
        which backup, as a row of this vault's own chain, and the note goes
        once the row is committed. A note that cannot be read is recorded as
        such: someone restored something.
        """
        path = self.layout.restore_note
        try:
            note = json.loads(path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError, UnicodeDecodeError):
            note = None
        if not isinstance(note, dict):
            note = {"unreadable": True}
        detail = {k: note[k] for k in ("restored_at", "backup_latest", "files", "unreadable")
                  if k in note}
        with self.audited(conn) as work:
            work.record(AuditEntry(actor, "vault.restored", str(note.get("backup", "")),
                                   detail))
        path.unlink(missing_ok=True)

    def _file_login_notes(self, conn: Connection) -> dict:
        """File the failed attempts noted since the last unlock into the audit trail.

        The index remembers which notes file it expects and how many notes it
        has filed; a file that was replaced or cut short is left as it is, for
        verification to report. A vault made before notes were kept starts
        its file now. Returns what the login's audit row records of the
        notes filed (their file, extent and SHA-256), so its seal covers them.
        """
        meta = MetaRepository(conn)
        if meta.get(NOTES_ID) is None:
            self._start_login_notes(conn)
            return {}
        with self.audited(conn) as work:
            filed = int(meta.get(NOTES_FILED) or 0)
            found = login_failures.read(self.layout.login_failures, self.vault_id, self.key,
                                        since=filed)
            if found.log_id != meta.get(NOTES_ID) or found.size < filed:
                return {}
            names = {slotfile.user_slot_id(self.vault_id, u.name): u.name
                     for u in UserRepository(conn).all()}
            names[slotfile.RECOVERY] = RECOVERY_ACTOR
            for attempt in found.notes:
                if attempt is None or not attempt.failed:
                    continue
                actor = names.get(attempt.slot, "unknown user name")
                work.record(AuditEntry(actor, "login.failed", actor,
                                       {"reason": attempt.reason, "attempted_at": attempt.at}))
            meta.put(NOTES_FILED, str(found.end))
        path = self.layout.login_failures
        return {NOTES_DETAIL: {"id": found.log_id, "up_to": found.end,
                               "sha256": login_failures.digest(path, found.end)}}

    def _start_login_notes(self, conn: Connection) -> None:
        """Begin a new notes file and record in the index that it is the one to expect."""
        with transaction(conn):
            log_id = login_failures.start(self.layout.login_failures, self.vault_id, self.key)
            meta = MetaRepository(conn)
            meta.put(NOTES_ID, log_id)
            meta.put(NOTES_FILED, "0")


@contextlib.contextmanager
def _damage_reported(what: str) -> Iterator[None]:
    """Turn SQLCipher's low-level failures into what they mean: busy, a full disk, or damage.

    A wait past the busy timeout for another process's long write (an import
    of thousands of patients) is not damage, and must not send anyone to
    restore a backup.
    """
    try:
        yield
    except (NotEncryptedWithThisKey, UnsafeDatabaseFile, DatabaseError, OSError) as exc:
        if is_busy(exc):
            raise VaultBusy() from exc
        if disk_full(exc):
            raise DiskFull() from exc
        if isinstance(exc, OSError):
            raise
        raise VaultDamaged(what) from exc


def _finish_key_change(layout: VaultLayout, slots: slotfile.KeySlots, master_key: bytes) -> None:
    """Finish a change of master key that a crash cut short before the index was rekeyed.

    The key file moves to the new key before the index does; finding the
    index still under the key the file kept as ``previous`` means the
    change stopped between the two, and is finished here.
    """
    old_key = slotfile.previous_key(slots, master_key)
    if not old_key:
        return
    try:
        open_encrypted(layout.index, master_key, INDEX_PROFILE).close()
        return
    except NotEncryptedWithThisKey:
        pass
    rekey_in_place(layout.index, old_key, master_key, INDEX_PROFILE)
    login_failures.sign_again(layout.login_failures, slots.vault_id, old_key, master_key)
    log.info("finished a change of the master key that was interrupted")


def _refuse_an_older_key_file(layout: VaultLayout, vault_id: str, master_key: bytes) -> None:
    """Call a key file from before the last change of keys what it is, not damage.

    Its password still opens it, but its key no longer opens the index. The
    failed-login notes are signed again with each new key, so when they too
    are signed with another key than this file's, the key file is the older
    one; otherwise the index itself was damaged or replaced.

    Raises:
        KeySlotsRolledBack: the key file is an older copy.
        NotEncryptedWithThisKey: the index does not open (damaged or replaced).
    """
    try:
        open_encrypted(layout.index, master_key, INDEX_PROFILE).close()
    except NotEncryptedWithThisKey:
        notes = layout.login_failures
        if notes.exists() and login_failures.read(notes, vault_id, master_key).log_id is None:
            raise KeySlotsRolledBack() from None
        raise


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
                    secret: str) -> slotfile.Opened:
    """Unwrap a slot, noting the attempt for the audit; raise a person-readable error.

    A name with several wrong passwords in a row must wait before its next
    try, so guessing at the window or the command line is impractical.
    """
    path, vault_id = layout.login_failures, slots.vault_id
    notes = login_failures.recent(path, vault_id)
    wait = login_failures.wait_before(notes, slot_id, clock.now())
    if wait:
        login_failures.note(path, vault_id, slot_id, login_failures.THROTTLED)
        raise TooManyAttempts(wait.total_seconds())
    try:
        opened = slotfile.open_slot(slots, slot_id, secret)
    except slotfile.SlotExpired:
        login_failures.note(path, vault_id, slot_id, "password expired")
        raise PasswordExpired() from None
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
    return opened

