"""Checking a whole vault: every page, every blob, the audit chain and its seals, the key slots.

Verification must find a single flipped byte anywhere in the vault folder.
The SQLCipher files carry an HMAC on every page; the blobs carry their
SHA-256; the audit rows chain by HMAC; the key-slot, audit-head and
failed-login files carry checksums or HMACs of their own. Every image the
index lists must have its original, display copy and thumbnail in a shard,
matching its SHA-256, so a shard deleted whole is found and named by the
pictures it took with it. Any file the vault did not write is reported too.

The audit chain's HMAC can be recomputed by anyone holding the master key,
so the seals decide: verification says up to which row the trail is sealed,
by whom and when, reports any change before that as tampering, and counts
the rows after it as not yet sealed. The seal key it trusts is the one the
verifying admin's own password pinned, never simply the one in the key file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clinfile.app.clock import local_time
from clinfile.app.counting import counted
from clinfile.app.custody.seal import SealReport
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault import login_failures, seal_memory
from clinfile.app.vault.errors import IndexEmpty
from clinfile.app.vault.layout import VaultLayout
from clinfile.app.vault.vault import LOGIN_ACTIONS, NOTES_DETAIL, NOTES_FILED, NOTES_ID, Vault
from clinfile.db.audit import AuditRepository
from clinfile.db.blobs import BlobStore, StoredBlob
from clinfile.db.connection import (
    INDEX_PROFILE,
    Connection,
    NotEncryptedWithThisKey,
    UnsafeDatabaseFile,
    integrity_problems,
    open_encrypted,
)
from clinfile.db.image_census import deleted_images, held_images, signed_forms
from clinfile.db.settings import MetaRepository

Progress = Callable[[str], None]
# The first bytes of every SQLite file that is not encrypted.
_PLAIN_SQLITE = b"SQLite format 3\x00"


@dataclass
class VerifyReport:
    """What verification looked at and what it found wrong."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seal: SealReport | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether everything held."""
        return not self.problems


def verify_vault(vault: Vault, progress: Progress | None = None) -> VerifyReport:
    """Check every part of an unlocked vault and return what was found."""
    report = VerifyReport()
    say = progress or (lambda _step: None)
    layout = vault.layout

    say("key slots")
    report.checked.append("key slots")
    try:
        vault.read_slots()
    except slotfile.KeySlotsDamaged as exc:
        report.problems.append(str(exc))

    say("index")
    report.checked.append("index")
    report.problems += _database_problems(layout.index, vault.key, "index")

    index_readable = not any(p.startswith("index") for p in report.problems)
    if index_readable:
        say("audit trail")
        report.checked.append("audit trail")
        with vault.index() as conn:
            report.problems += vault.audit.problems(conn)
        say("audit seals")
        report.checked.append("audit seals")
        report.seal = vault.seal_report()
        report.problems += report.seal.problems
        report.notes += vault.seal_notes
        if not seal_memory.can_remember(vault.vault_id):
            report.notes.append(seal_memory.NOT_REMEMBERED)

    store = vault.blobs
    for shard in store.shard_paths():
        say(f"image store {shard.name}")
        report.checked.append(f"image store {shard.name}")
        report.problems += _shard_problems(store, shard)

    if index_readable:
        say("pictures")
        report.checked.append("pictures")
        with vault.index() as conn:
            held = store.catalogue()
            report.problems += _missing_pictures(conn, held)
            report.problems += _deleted_pictures_back(conn, store, held)
            report.notes += _waiting_to_rekey(conn, store)

    for copy in sorted(layout.pre_migration.glob("*.db")) if layout.pre_migration.is_dir() else []:
        report.checked.append(f"pre-upgrade copy {copy.name}")
        report.problems += _database_problems(copy, vault.key, f"pre-upgrade copy {copy.name}")

    if index_readable:
        report.checked.append("login notes")
        with vault.index() as conn:
            recorded = [detail[NOTES_DETAIL] for row in
                        AuditRepository(conn).of_actions_since("", LOGIN_ACTIONS)
                        if NOTES_DETAIL in (detail := json.loads(row.detail))]
            report.problems += _login_notes_problems(vault, MetaRepository(conn), recorded)
    report.problems += [f"unexpected file in the vault: {p}" for p in _unexpected_files(vault)]
    return report


def _database_problems(path: Path, key: bytes, label: str) -> list[str]:
    try:
        conn = open_encrypted(path, key, INDEX_PROFILE)
    except (NotEncryptedWithThisKey, UnsafeDatabaseFile, FileNotFoundError) as exc:
        return [f"{label}: cannot be opened ({type(exc).__name__}: damaged, missing or replaced)"]
    try:
        return [f"{label}: {p}" for p in integrity_problems(conn)]
    except Exception as exc:  # noqa: BLE001 - a damaged file may fail in any way; report it
        return [f"{label}: {exc}"]
    finally:
        conn.close()


def _missing_pictures(conn: Connection, held: dict[str, StoredBlob]) -> list[str]:
    """Name every picture whose original, display copy or thumbnail is gone or altered.

    The bytes of each stored blob are checked against the SHA-256 its shard
    recorded (see :func:`_shard_problems`); here each image's blobs must be
    present, and its original must be the very bytes the index recorded.
    """
    problems = []
    for image in held_images(conn):
        whose = f"image {image.id} ({image.patient or 'not yet filed'})"
        for what, blob_id in image.blobs().items():
            stored = held.get(blob_id)
            if stored is None:
                problems.append(f"{whose}: its {what} is missing from the image store")
            elif what == "original" and stored.sha256 != image.sha256:
                problems.append(f"{whose}: its original does not match its SHA-256")
    for form in signed_forms(conn):
        if form.blob_id not in held:
            problems.append(f"signed form of consent {form.consent_code} ({form.patient}) "
                            "is missing from the image store")
    return problems


def _deleted_pictures_back(conn: Connection, store: BlobStore,
                           held: dict[str, StoredBlob]) -> list[str]:
    """Say which pictures deleted at the end of their retention have bytes in the vault again.

    A deletion removes the bytes and the audit says they are gone; an older
    copy of an image store put back brings them back unannounced, so the
    vault would hold what the practice recorded as destroyed.
    """
    back = {image_id: next(b for b in blobs if b in held)
            for image_id, blobs in deleted_images(conn) if any(b in held for b in blobs)}
    if not back:
        return []
    files = sorted({store.shard_path_of(blob).name for blob in back.values()})
    which = "image" if len(back) == 1 else "images"
    return [f"The bytes of {counted(len(back), 'picture')} deleted at the end of their "
            f"retention are in the vault again ({which} {_listed(list(back))}, in "
            f"{_listed(files)}), although the audit "
            "records them as gone: an older copy of that image store file was probably put "
            "back. Put back the copy of that file from a backup made after the deletion, "
            "then run 'clinfile verify' again."]


def _listed(items: list) -> str:
    """Items in words: 'a', 'a and b', 'a, b and c'."""
    words = [str(item) for item in items]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _waiting_to_rekey(conn: Connection, store: BlobStore) -> list[str]:
    """Say how many pictures are still under a key retired when the keys changed.

    Not a problem: the background re-key finishes them; until it has, a
    copy of the old key file still opens them.
    """
    waiting = [p for p in store.shard_paths() if store.needs_rekey(p)]
    if not waiting:
        return []
    retired = conn.execute("SELECT min(retired_at) FROM retired_key").fetchone()[0]
    since = (f"from before {local_time(retired)}" if retired
             else "from before the last change of keys")
    under_old = store.blob_ids_in(waiting)
    pictures = sum(1 for image in held_images(conn) if image.original_blob in under_old)
    what = (f"{pictures} picture{'s are' if pictures != 1 else ' is'}" if pictures
            else "Some stored files are")
    return [f"{what} still under the key {since}; the re-key will finish them "
            "(it goes on at the next admin login, or from the Vault tab, or with "
            "'clinfile rekey')."]


def _login_notes_problems(vault: Vault, meta: MetaRepository, recorded: list[dict]
                          ) -> list[str]:
    """Check the failed-login notes: signed, the file the index expects, none cut off or changed.

    ``recorded`` is what each login's audit row says of the notes it filed;
    those rows are sealed, so the notes they cover are too. Every one is
    checked, not only the last: a login after an edit records the edited file.
    """
    path = vault.layout.login_failures
    found = login_failures.read(path, vault.vault_id, vault.key)
    problems = list(found.problems)
    expected = meta.get(NOTES_ID)
    if expected is None:
        return problems
    if not path.exists():
        return problems + [f"{path.name} is missing (it was deleted)"]
    if found.log_id is None:
        return problems
    if found.log_id != expected:
        return problems + [f"{path.name} was replaced by another file"]
    if found.size < int(meta.get(NOTES_FILED) or 0):
        problems.append(f"{path.name} was cut short: notes already filed are gone")
    else:
        marks = [(int(r["up_to"]), r["sha256"]) for r in recorded if r.get("id") == found.log_id]
        now = login_failures.digests(path, [end for end, _ in marks])
        if any(now.get(end) != sha for end, sha in marks):
            problems.append(f"{path.name}: notes already filed into the audit trail were "
                            "changed or removed afterwards")
    return problems


def _shard_problems(store: BlobStore, shard: Path) -> list[str]:
    try:
        return store.check_shard(shard)
    except Exception as exc:  # noqa: BLE001 - a damaged file may fail in any way; report it
        return [f"{shard.name}: {exc}"]


def _unexpected_files(vault: Vault) -> list[str]:
    return _files_not_written_by(vault.layout, vault.blobs.shard_paths())


def _files_not_written_by(layout: VaultLayout, shards: list[Path]) -> list[str]:
    expected = layout.known_files() | set(shards)
    expected |= set(layout.partial_files())
    if layout.pre_migration.is_dir():
        expected |= set(layout.pre_migration.glob("index-v*.db"))
    found = []
    for path in sorted(layout.root.rglob("*")):
        if path.is_dir() and path in (layout.blobs, layout.pre_migration):
            continue
        if path not in expected:
            found.append(str(path.relative_to(layout.root)))
    return found


def verify_without_key(root: Path) -> VerifyReport:
    """Check what needs no password: the vault's files are there, whole and encrypted.

    The key-slot file's checksum is checked, the index and every image store
    must not be plain SQLite, and no file the vault did not write may sit in
    its folder. The pages, pictures and audit trail can only be checked with the key;
    :func:`verify_vault` does that for an admin.
    """
    report = VerifyReport()
    layout = VaultLayout(Path(root))
    report.checked.append("index")
    if not layout.index.is_file():
        report.problems.append(f"There is no Clinfile vault in {root}.")
        return report
    if layout.index.stat().st_size == 0:
        report.problems.append(str(IndexEmpty()))
    report.checked.append("key slots")
    try:
        slotfile.read(layout.keyslots)
    except slotfile.KeySlotsDamaged as exc:
        report.problems.append(str(exc))
    except OSError as exc:
        report.problems.append(f"{layout.keyslots.name} cannot be read ({exc.strerror})")
    shards = BlobStore(layout.blobs, b"").shard_paths()
    for path in [layout.index, *shards]:
        report.checked.append(f"encryption of {path.name}")
        try:
            with path.open("rb") as file:
                start = file.read(len(_PLAIN_SQLITE))
        except OSError as exc:
            report.problems.append(f"{path.name} cannot be read ({exc.strerror})")
            continue
        if start == _PLAIN_SQLITE:
            report.problems.append(f"{path.name} is not encrypted")
    report.problems += [f"unexpected file in the vault: {p}"
                        for p in _files_not_written_by(layout, shards)]
    return report
