"""A consistent, encrypted copy of a vault while it is in use, brought up to date each night.

The copy is itself a vault folder that opens with the same passwords, plus
a manifest (``backup-manifest.json``) of what it holds: each file's name,
size, SHA-256 and key generation, and how the vault's file looked when it
was copied. A later backup into the same folder copies only what is new or
changed since: a closed image shard that has not changed is not read again.
The index is always copied, as a consistent export.

The index is exported first, then the image shards, then the key slots and
the failed-login notes. Every image the copied index refers to was committed
to its shard before the index row that names it, so it is in the copied shard
too; a key file copied last is at least as new as the copied index, which
unlocking accepts. The copy's audit head and key file record the copy's own
newest audit row, so the restored copy opens as the latest.

Every new file is first written beside its place under a temporary name,
flushed and read back to hash it; only when all of them are whole are they
renamed into place, the manifest last. A backup killed, or stopped by a full
disk, before then leaves the previous backup as it was, and the next one
sweeps its temporary files. A file in the backup that no longer has the
size and modification time the manifest recorded (changed, truncated or put
back behind the backup's back) is not counted as held and is copied again;
``reread`` also hashes every held file, to find a change that kept both.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from clinfile.app import clock
from clinfile.app.custody.audit import AuditMark
from clinfile.app.custody.crypto import derive_key, mac, same
from clinfile.app.custody.locations import require_local
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault.errors import VaultError
from clinfile.app.vault.layout import PRIVATE_FOLDER, VaultLayout
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository, AuditRow
from clinfile.db.connection import (
    INDEX_PROFILE,
    export_copy,
    fsync_dir,
    integrity_problems,
    is_disk_full,
    open_encrypted,
    transaction,
    write_atomically,
)

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

MANIFEST_FORMAT = 1
_VAULT_FILE = re.compile(r"^(index\.db|keyslots\.json|audit-head\.json|login-failures\.log"
                         r"|blobs/\d{4}(-\d{4})?(k\d+)?\.db)$")
HASH_CHUNK = 1024 * 1024
RACY_SECONDS = 2.0

Progress = Callable[[str], None]


class BackupRefused(VaultError):
    """The folder cannot take this vault's backup; ``str()`` says why, for people."""


class BackupDiskFull(VaultError):
    """The backup's disk filled up; the backup already there is unchanged."""

    def __init__(self, dest: Path, needed: int) -> None:
        more = f" About {_megabytes(needed)} more is needed." if needed > 0 else ""
        super().__init__(
            f"The disk of the backup folder {dest} is full, so this backup was not made. "
            f"The backup already in that folder is unchanged.{more} Free some space on it, "
            "or back up to a larger disk.")


@dataclass(frozen=True)
class HeldFile:
    """One file the backup holds, and how its source looked when it was copied.

    ``source`` is the vault file's (size, modification time, inode) as seen
    before copying; it is left empty when the file had changed only just
    before (its time could hide a change made in the same instant), so the
    next backup copies it again. ``written`` is the backup file's own
    modification time, so a change behind the backup's back shows.
    """

    name: str
    size: int
    sha256: str
    key_epoch: int
    written: int
    source: tuple[int, int, int] | None = None


@dataclass
class BackupReport:
    """What a backup copied and what it already held."""

    root: Path
    copied: list[str] = field(default_factory=list)
    copied_bytes: int = 0
    kept: list[str] = field(default_factory=list)
    kept_bytes: int = 0
    not_trusted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence for the person who asked for the backup."""
        said = (f"Copied {len(self.copied)} file(s), {_megabytes(self.copied_bytes)}; "
                f"{len(self.kept)} unchanged file(s), {_megabytes(self.kept_bytes)}, "
                "were already in the backup.")
        if self.not_trusted:
            said += (f" {len(self.not_trusted)} file(s) in the backup had been changed or "
                     "removed since the last backup and were copied again.")
        return said


def backup_vault(vault: Vault, dest: Path, *, force: bool = False, reread: bool = False,
                 progress: Progress | None = None) -> BackupReport:
    """Bring the backup in ``dest`` up to date with the vault; make it when the folder is new.

    Raises:
        FileExistsError: ``dest`` holds files that are not a backup of this vault.
        BackupRefused: ``dest`` holds a later state of this vault than the vault itself.
        BackupDiskFull: the backup's disk has no room; nothing in it was changed.
        CloudFolderRefused: ``dest`` is inside a cloud-sync folder (unless forced).
    """
    say = progress or (lambda _step: None)
    dest = Path(dest)
    require_local(dest, what="backup", force=force)
    dest.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    dest.chmod(PRIVATE_FOLDER)
    with _one_backup_at_a_time(dest):
        copy = VaultLayout(dest)
        _sweep_unfinished(copy)
        held = _held(vault, copy)
        report = BackupReport(dest)
        staged: list[tuple[Path, Path]] = []
        try:
            files = _copy_changes(vault, copy, held, report, staged, reread=reread, say=say)
            say("key slots")
            _stage_small_files(vault, copy, files, staged)
            _commit(staged)
        except BaseException as exc:
            for partial, _ in staged:
                with contextlib.suppress(FileNotFoundError):
                    partial.unlink()
            if is_disk_full(exc):
                raise BackupDiskFull(dest, 0) from exc
            raise
    return report


def _stage_small_files(vault: Vault, copy: VaultLayout, files: dict[str, HeldFile],
                       staged: list[tuple[Path, Path]]) -> None:
    """Stage the audit head, login notes and manifest, all for the copied index.

    The copy's head and key file name the copied index's own newest audit
    row, so the copy opens as the latest; the manifest is renamed last.
    """
    last = _newest_row(vault, _staged_index(staged, copy))
    mark = AuditMark.of(last)
    for target, write in (
            (copy.audit_head, lambda path: vault.audit.write_head(path, last)),
            (copy.login_failures, lambda path: write_atomically(
                path, vault.layout.login_failures.read_bytes())),
            (copy.backup_manifest, lambda path: _write_manifest(vault, path, files, mark))):
        if target == copy.login_failures and not vault.layout.login_failures.exists():
            continue
        partial = _partial_beside(target)
        staged.append((partial, target))
        write(partial)


def _copy_changes(vault: Vault, copy: VaultLayout, held: dict[str, HeldFile],
                  report: BackupReport, staged: list[tuple[Path, Path]], *, reread: bool,
                  say: Progress) -> dict[str, HeldFile]:
    """Stage the index, then every new or changed shard; return what the backup will hold.

    The shards are listed after the index is copied, so a shard opened
    meanwhile for a picture the copied index names is among them.
    """
    say("index")
    files = {"index.db": _stage_index(vault, copy, staged)}
    report.copied.append("index.db")
    report.copied_bytes += files["index.db"].size
    shards = vault.blobs.shard_paths()
    kept = {s for s in shards if _still_held(held.get(_name(s)), s, copy, reread=reread)}
    _refuse_if_no_room(copy.root, [s for s in shards if s not in kept])
    for shard in shards:
        name = _name(shard)
        before = held.get(name)
        if shard in kept:
            files[name] = before
            report.kept.append(name)
            report.kept_bytes += before.size
            continue
        if before is not None and before.source == _stamp(shard):
            report.not_trusted.append(name)
        say(f"image store {shard.name}")
        files[name] = _stage_shard(vault, shard, copy, staged)
        report.copied.append(name)
        report.copied_bytes += files[name].size
    return files


def restore_backup(backup: Path, dest: Path, progress: Progress | None = None) -> list[str]:
    """Copy a backup into a new, empty folder as a vault, checking every file on the way.

    Each file's size and SHA-256 must be those the backup's manifest
    recorded; the manifest itself stays behind. Returns the names of the
    files restored. Unlocking and verifying the restored vault is the
    proof that it is whole (its pages, its audit chain and seals).

    Raises:
        FileExistsError: ``dest`` exists and is not an empty folder.
        BackupRefused: ``backup`` is not a backup, or a file in it is missing or changed.
    """
    say = progress or (lambda _step: None)
    source, dest = VaultLayout(Path(backup)), Path(dest)
    manifest = _read_manifest(source)
    if manifest is None:
        raise BackupRefused(f"{backup} is not a Clinfile backup (it has no backup manifest).")
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; restore into a new, empty folder.")
    dest.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    dest.chmod(PRIVATE_FOLDER)
    restored = VaultLayout(dest)
    names = [*manifest["files"], *_small_files(source)]
    for name in names:
        say(name)
        if not _VAULT_FILE.match(name):
            raise BackupRefused(f"The backup's manifest names a file no vault has: {name!r}.")
        target = dest / name
        target.parent.mkdir(exist_ok=True, mode=PRIVATE_FOLDER)
        recorded = manifest["files"].get(name)
        try:
            digest = _copy_file(source.root / name, target)
        except FileNotFoundError:
            raise BackupRefused(f"{name} is missing from the backup. Restore from another "
                                "backup.") from None
        if recorded and (digest != recorded["sha256"]
                         or target.stat().st_size != recorded["size"]):
            raise BackupRefused(
                f"{name} in the backup is not the file the backup recorded (changed or "
                "damaged since). Restore from another backup, or back up again from the "
                "vault if it is still whole.")
    _leave_restore_note(restored, Path(backup), manifest, len(names))
    for folder in (restored.blobs, dest):
        if folder.is_dir():
            fsync_dir(folder)
    return names


def _leave_restore_note(restored: VaultLayout, backup: Path, manifest: dict, files: int) -> None:
    """Leave word of this restore for the restored vault's first login to audit.

    A restore runs without a login, so it holds no key to append to the
    trail: its rows are chained with the vault's own audit key. The first
    login after it records the restore from this note (``Vault.unlock``),
    naming the backup and the newest audit row the backup held.
    """
    note = {"backup": str(backup.resolve()), "restored_at": clock.stamp(),
            "backup_latest": manifest.get("latest"), "files": files}
    write_atomically(restored.restore_note, json.dumps(note).encode())


# --- what the backup holds ------------------------------------------------------------


def _held(vault: Vault, copy: VaultLayout) -> dict[str, HeldFile]:
    """What the folder holds already, by name; empty for a new folder.

    A manifest whose MAC does not hold is not believed (everything is copied
    again). A folder holding other files, another vault's backup, or a later
    state of this vault than the vault itself is refused: the last means the
    vault was put back from an older copy, and backing it up would overwrite
    the only record of what came after.
    """
    manifest = _read_manifest(copy)
    if manifest is None:
        if any(p.is_file() for p in copy.root.rglob("*")) and not _older_backup(vault, copy):
            raise FileExistsError(
                f"{copy.root} holds other files; back up into a new, empty folder or into "
                "one this vault was backed up to before.")
        return {}
    if manifest.get("vault_id") != vault.vault_id:
        raise BackupRefused(
            f"{copy.root} holds the backup of another vault. Back up into a new, empty folder.")
    if not same(manifest.get("mac", ""), _manifest_mac(vault, manifest)):
        return {}
    latest = AuditMark(**manifest["latest"])
    with vault.index() as conn:
        found = latest.found_in(conn)
    if not found:
        raise BackupRefused(
            f"The backup in {copy.root} holds a later state of this vault than the vault "
            "itself: the vault may have been put back from an older copy. Nothing was "
            "written. Back up into a new, empty folder, and have the vault checked.")
    return {name: HeldFile(name=name, **{k: v for k, v in held.items()
                                         if k != "source"},
                           source=tuple(held["source"]) if held.get("source") else None)
            for name, held in manifest["files"].items()}


def _older_backup(vault: Vault, copy: VaultLayout) -> bool:
    """Whether the folder is a backup of this vault made before backups kept a manifest."""
    try:
        slots, _ = slotfile.read(copy.keyslots)
    except (OSError, slotfile.KeySlotsDamaged):
        return False
    return slots.vault_id == vault.vault_id


def _still_held(held: HeldFile | None, shard: Path, copy: VaultLayout, *, reread: bool) -> bool:
    """Whether the backup still holds this shard as it is now in the vault."""
    if held is None or held.source is None or held.source != _stamp(shard):
        return False
    target = copy.root / held.name
    try:
        st = target.stat()
    except FileNotFoundError:
        return False
    if st.st_size != held.size or st.st_mtime_ns != held.written:
        return False
    return not reread or _sha256(target) == held.sha256


def _read_manifest(copy: VaultLayout) -> dict | None:
    try:
        manifest = json.loads(copy.backup_manifest.read_text())
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    return manifest


def _write_manifest(vault: Vault, path: Path, files: dict[str, HeldFile],
                    latest: AuditMark) -> None:
    manifest = {"format": MANIFEST_FORMAT, "vault_id": vault.vault_id,
                "latest": {"seq": latest.seq, "hash": latest.hash},
                "files": {name: {k: v for k, v in asdict(held).items() if k != "name"}
                          for name, held in sorted(files.items())}}
    manifest["mac"] = _manifest_mac(vault, manifest)
    write_atomically(path, json.dumps(manifest, indent=1).encode())


def _manifest_mac(vault: Vault, manifest: dict) -> str:
    """A MAC under a key from the audit key, which stays the same across changes of keys."""
    body = {k: v for k, v in manifest.items() if k != "mac"}
    key = derive_key(bytes.fromhex(vault.audit_key_hex()), "backup manifest")
    return mac(key, json.dumps(body, sort_keys=True).encode())


# --- copying ----------------------------------------------------------------------------


def _stage_index(vault: Vault, copy: VaultLayout, staged: list[tuple[Path, Path]]
                 ) -> HeldFile:
    """Export the index, and stage the key file as it stood then, while writers wait.

    Writers change the key file only while holding the index's write lock,
    so the two match: no admin's memory of their last seal is ahead of the
    copied trail, which would read as a seal cut away once restored.
    """
    partial = _partial_beside(copy.index)
    staged.append((partial, copy.index))
    with vault.index() as holder, transaction(holder):
        slots = vault.read_slots()
        with vault.index() as conn:
            export_copy(conn, partial, vault.key, INDEX_PROFILE)
    last = _newest_row(vault, partial)
    keyslots = _partial_beside(copy.keyslots)
    staged.append((keyslots, copy.keyslots))
    slotfile.write(keyslots, replace(slots, latest=AuditMark.of(last)), vault.key)
    conn = open_encrypted(partial, vault.key, INDEX_PROFILE)
    try:
        problems = integrity_problems(conn)
    finally:
        conn.close()
    if problems:
        raise OSError(f"the copy of the index did not read back whole: {problems[0]}")
    return _held_copy(partial, "index.db", vault.epoch, None)


def _stage_shard(vault: Vault, shard: Path, copy: VaultLayout,
                 staged: list[tuple[Path, Path]]) -> HeldFile:
    """Export one shard under the key it is under now, beside its place in the backup."""
    stamp = _stamp(shard)
    target = copy.blobs / shard.name
    copy.blobs.mkdir(exist_ok=True, mode=PRIVATE_FOLDER)
    partial = _partial_beside(target)
    staged.append((partial, target))
    epoch = vault.blobs.export_shard(shard, partial)
    return _held_copy(partial, _name(shard), epoch, None if _changing(stamp) else stamp)


def _held_copy(partial: Path, name: str, epoch: int, source: tuple[int, int, int] | None
               ) -> HeldFile:
    """Read a staged copy back to hash it, as the manifest will record it."""
    st = partial.stat()
    return HeldFile(name, st.st_size, _sha256(partial), epoch, st.st_mtime_ns, source)


def _commit(staged: list[tuple[Path, Path]]) -> None:
    """Give every staged file its real name: the shards, then the index, the rest, the manifest.

    Only renames are left by now, so a full disk can no longer stop it half way.
    """
    index, *rest = staged
    shards = [pair for pair in rest if pair[1].parent != index[1].parent]
    small = [pair for pair in rest if pair[1].parent == index[1].parent]
    for partial, target in [*shards, index, *small]:
        os.replace(partial, target)
    for folder in {target.parent for _, target in staged}:
        fsync_dir(folder)
    staged.clear()


def _copy_file(source: Path, target: Path) -> str:
    """Copy a file, flushed, and return the SHA-256 of what was read back from the copy."""
    with open(source, "rb") as reading, open(target, "xb") as writing:
        os.chmod(target, 0o600)
        shutil.copyfileobj(reading, writing, HASH_CHUNK)
        writing.flush()
        os.fsync(writing.fileno())
    return _sha256(target)


# --- small helpers ------------------------------------------------------------------------


def _newest_row(vault: Vault, index_copy: Path) -> AuditRow:
    """The copied index's own newest audit row, which the copy's head and key file record."""
    conn = open_encrypted(index_copy, vault.key, INDEX_PROFILE)
    try:
        last = AuditRepository(conn).last()
    finally:
        conn.close()
    if last is None:
        raise ValueError("the copied index has no audit trail")
    return last


def _staged_index(staged: list[tuple[Path, Path]], copy: VaultLayout) -> Path:
    return next(partial for partial, target in staged if target == copy.index)


def _refuse_if_no_room(dest: Path, shards: list[Path]) -> None:
    """Say before copying the shards when the backup's disk cannot take them."""
    needed = sum(_stamp(s)[0] for s in shards)
    free = shutil.disk_usage(dest).free
    if needed > free:
        raise BackupDiskFull(dest, needed - free)


def _sweep_unfinished(copy: VaultLayout) -> None:
    """Remove what a backup killed mid-way left; none is running (the folder is locked)."""
    for folder in (copy.root, copy.blobs):
        if folder.is_dir():
            for path in folder.iterdir():
                if _is_partial(path):
                    path.unlink(missing_ok=True)


def _is_partial(path: Path) -> bool:
    return path.name.startswith(".") and ".partial" in path.name


def _partial_beside(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.urandom(8).hex()}.partial")


def _small_files(copy: VaultLayout) -> list[str]:
    return [p.name for p in (copy.keyslots, copy.audit_head, copy.login_failures) if p.exists()]


def _name(shard: Path) -> str:
    return f"blobs/{shard.name}"


def _stamp(path: Path) -> tuple[int, int, int]:
    """A file's size, modification time and inode: a change or a re-key changes one of them."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _changing(stamp: tuple[int, int, int]) -> bool:
    """Whether a file changed so lately that a change in the same instant could hide."""
    return time.time() - stamp[1] / 1e9 < RACY_SECONDS


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


@contextlib.contextmanager
def _one_backup_at_a_time(dest: Path) -> Iterator[None]:
    """Hold an exclusive lock on the backup folder, so two backups into it take turns."""
    if fcntl is None:
        yield
        return
    descriptor = os.open(dest, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
