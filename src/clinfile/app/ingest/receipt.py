"""What became of each photo chosen on a phone or camera, said exactly.

An import from a device can end four ways: it ran out of photos, the person
stopped it, the device went away (unplugged, or its screen locked and it
stopped answering), or the computer stopped. Whichever it was, the person
must learn, photo by photo, which are safe in the vault, which left the
phone, and which are still on it and why. A receipt is built from the
import's events and the list of photos chosen, so a photo the import never
reached is named too; it is never counted as deleted unless Clinfile deleted
it after its vault copy was verified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.custody import ALREADY_GONE, DEVICE_REFUSED


class Vaulted(StrEnum):
    """Where a chosen photo stands with the vault."""

    IMPORTED = "imported"
    ALREADY = "already in the vault"
    REFUSED = "refused"
    NOT_READ = "not read"


class OnPhone(StrEnum):
    """Where a chosen photo stands with the device."""

    DELETED = "deleted from the phone"
    KEPT = "kept on the phone"
    GONE_AWAY = "the phone went away"
    MISSING = "no longer on the phone"


WENT_AWAY = "The phone went away before Clinfile could read it."
WENT_AWAY_BEFORE_DELETING = ("It is safe in the vault, but the phone went away before "
                             "Clinfile could delete it.")
STOPPED = "The import was stopped before Clinfile read it."
STOPPED_BEFORE_DELETING = ("It is safe in the vault, but the import was stopped before "
                           "Clinfile could delete it.")
TAKEN_ELSEWHERE = "Another import running at the same time took it in and off the phone."
NOT_REACHED = "Clinfile did not reach it."
NOT_DELETED = "Clinfile did not delete it; it is safe in the vault, so delete it on the phone."
STILL_SHOWN = "The phone still shows it although it was deleted; delete it on the phone."
CHOSEN_TO_KEEP = "as chosen"
POLICY_KEEPS = "the practice's setting"
NAMED_AT_MOST = 5
_PLURAL = {
    WENT_AWAY: "The phone went away before Clinfile could read them.",
    WENT_AWAY_BEFORE_DELETING: "The phone went away before Clinfile could delete them.",
    STOPPED: "The import was stopped before Clinfile read them.",
    STOPPED_BEFORE_DELETING: "The import was stopped before Clinfile could delete them.",
    TAKEN_ELSEWHERE: "Another import running at the same time took them in and off the phone.",
    NOT_REACHED: "Clinfile did not reach them.",
    NOT_DELETED: "Clinfile did not delete them; they are safe in the vault, so delete them on "
                 "the phone.",
    STILL_SHOWN: "The phone still shows them although they were deleted; delete them on the "
                 "phone.",
    DEVICE_REFUSED: "The phone would not let Clinfile delete them; they are safely in the "
                    "vault, so delete them on the phone by hand.",
}


_DISK_FULL = ("The disk holding {} is full, so {} could not be stored; {} left where {} and "
              "nothing in the vault was lost. Make room on that disk, then import again.")
_DISK_FULL_HEAD = "The disk holding "


def disk_full(vault_folder: Path | str, count: int = 1) -> str:
    """Say that the vault's disk is full, where it is, and that the files stay where they were."""
    if count == 1:
        return _DISK_FULL.format(vault_folder, "this picture", "the file was", "it is")
    return _DISK_FULL.format(vault_folder, "these pictures", "the files were", "they are")


def _disk_full_folder(why: str) -> str | None:
    """The vault's folder named by a full disk's reason, or None when ``why`` is another."""
    tail = disk_full("")[len(_DISK_FULL_HEAD):]
    if why.startswith(_DISK_FULL_HEAD) and why.endswith(tail):
        return why[len(_DISK_FULL_HEAD):len(why) - len(tail)]
    return None


def photos(count: int) -> str:
    """'1 photo', '4 photos'."""
    return f"{count} photo{'' if count == 1 else 's'}"


def edits_words(count: int) -> str:
    """Why an iPhone's edit files stay on the phone, said once for all of them."""
    files = ("1 iPhone edit file (.AAE) is" if count == 1
             else f"{count} iPhone edit files (.AAE) are")
    return (f"{files} left on the phone: such a file records edits made on the phone, "
            "not a photo.")


def hidden_words(count: int) -> str:
    """Why photos whose names start with a dot stay on the phone, said once for all of them."""
    if count == 1:
        return ("1 hidden photo (its name starts with a dot: the phone's bin, or a photo "
                "still being saved) is left on the phone.")
    return (f"{count} hidden photos (their names start with a dot: the phone's bin, or photos "
            "still being saved) are left on the phone.")


@dataclass(frozen=True)
class PhotoReceipt:
    """What happened to one chosen photo.

    Attributes:
        path: the photo on the device.
        vaulted: where it stands with the vault.
        on_phone: where it stands with the device.
        why: why it was kept on the phone, refused or not read (empty when
            deleted, or kept because that was the choice).
        item_id: the vault's item, when it is safe in the vault.
        sha256: the bytes' SHA-256, when it was read.
    """

    path: Path
    vaulted: Vaulted = Vaulted.NOT_READ
    on_phone: OnPhone = OnPhone.KEPT
    why: str = ""
    item_id: int | None = None
    sha256: str | None = None

    @property
    def safe_in_vault(self) -> bool:
        """Whether a verified copy of this photo is in the vault."""
        return self.vaulted in (Vaulted.IMPORTED, Vaulted.ALREADY)

    @property
    def still_on_phone(self) -> bool:
        """Whether the photo is (or, with the phone gone, may still be) on the device."""
        return self.on_phone not in (OnPhone.DELETED, OnPhone.MISSING)

    def words(self) -> str:
        """One line: the photo's name and what became of it."""
        if self.vaulted is Vaulted.NOT_READ and self.on_phone is OnPhone.MISSING:
            state = "not read by this import, no longer on the phone."
        elif self.vaulted is Vaulted.NOT_READ:
            state = "not read, still on the phone."
        elif self.vaulted is Vaulted.REFUSED:
            state = "refused, still on the phone."
        else:
            state = str(self.vaulted)
            if self.item_id is not None:
                state += f" (item {self.item_id})"
            if self.on_phone is OnPhone.DELETED:
                state += ", deleted from the phone."
            elif self.on_phone is OnPhone.GONE_AWAY:
                state += ", may still be on the phone."
            elif self.on_phone is OnPhone.MISSING:
                state += ", no longer on the phone."
            else:
                state += ", kept on the phone."
        return " ".join(filter(None, (f"{self.path.name}: {state}", self.why)))


class ImportReceipt:
    """The receipt of one import from a device, filled in as its events arrive."""

    def __init__(self, device: str, chosen: Sequence[Path], *, delete: bool,
                 kept_because: str = CHOSEN_TO_KEEP) -> None:
        """Start a receipt for ``chosen`` photos on ``device``.

        Args:
            device: the device's name, as shown to the person.
            chosen: the photos the import was given, in the order shown.
            delete: whether they were to leave the device once safe in the vault.
            kept_because: why they stay on the device when ``delete`` is False.
        """
        self.device = device
        self.delete = delete
        self.kept_because = kept_because
        self.cancelled = False
        # Stopped from outside the import's own controls (Ctrl-C at the command line).
        self.interrupted = False
        self.device_went_away = False
        self.ended = False
        self.resumed: list[ev.Resumed] = []
        self._photos = {Path(path): PhotoReceipt(Path(path)) for path in chosen}

    # --- filling in -------------------------------------------------------------------

    def add(self, event: ev.Event) -> None:
        """Take in one event of the import."""
        match event:
            case ev.Imported():
                self._set(event.source, vaulted=Vaulted.IMPORTED, item_id=event.item_id,
                          sha256=event.sha256)
            case ev.Duplicate():
                self._set(event.source, vaulted=Vaulted.ALREADY, item_id=event.item_id,
                          sha256=event.sha256)
            case ev.Quarantined():
                self._set(event.source, vaulted=Vaulted.REFUSED, why=event.reason)
            case ev.SourceDeleted():
                self._set(event.source, on_phone=OnPhone.DELETED, why="")
            case ev.SourceKept() if event.reason == ALREADY_GONE:
                self._set(event.source, on_phone=OnPhone.MISSING, why=event.reason)
            case ev.SourceKept():
                self._set(event.source, why=event.reason)
            case ev.Resumed():
                self.resumed.append(event)
            case ev.Finished():
                self.cancelled = self.cancelled or event.cancelled
                self.ended = True

    def add_all(self, events: Iterable[ev.Event]) -> None:
        """Take in every event of an import, as it runs."""
        for event in events:
            self.add(event)

    def close(self, *, cancelled: bool, device_present: bool,
              still_there: Callable[[Path], bool] | None = None) -> None:
        """Settle what the events left unsaid, once the import is over.

        Args:
            cancelled: the person stopped the import.
            device_present: whether the device can still be reached.
            still_there: whether a photo is still on the device, asked of the
                photos the import said it deleted; a photo found still there
                is never reported as deleted.
        """
        self.cancelled = self.cancelled or cancelled
        self.device_went_away = not device_present
        for path, photo in list(self._photos.items()):
            if photo.vaulted is Vaulted.NOT_READ and not photo.why:
                self._photos[path] = self._unread(photo, device_present, still_there)
            elif photo.on_phone is OnPhone.DELETED:
                if device_present and still_there is not None and still_there(path):
                    self._photos[path] = replace(photo, on_phone=OnPhone.KEPT, why=STILL_SHOWN)
            elif photo.safe_in_vault and self.delete and not photo.why:
                self._photos[path] = self._unreleased(photo, device_present, still_there)
        self.ended = True

    def _unread(self, photo: PhotoReceipt, device_present: bool,
                still_there: Callable[[Path], bool] | None) -> PhotoReceipt:
        """A photo this import never reached: still there, or taken by another import."""
        if not device_present:
            return replace(photo, why=WENT_AWAY)
        if still_there is not None and not still_there(photo.path):
            return replace(photo, on_phone=OnPhone.MISSING, why=TAKEN_ELSEWHERE)
        return replace(photo, why=STOPPED if self.cancelled else NOT_REACHED)

    def _unreleased(self, photo: PhotoReceipt, device_present: bool,
                    still_there: Callable[[Path], bool] | None) -> PhotoReceipt:
        """A photo safe in the vault that this import did not delete: where it stands now."""
        if not device_present:
            return replace(photo, on_phone=OnPhone.GONE_AWAY, why=WENT_AWAY_BEFORE_DELETING)
        if still_there is not None and not still_there(photo.path):
            # Another import running at the same time took and deleted it.
            return replace(photo, on_phone=OnPhone.MISSING, why=ALREADY_GONE)
        return replace(photo, why=STOPPED_BEFORE_DELETING if self.cancelled else NOT_DELETED)

    def _set(self, source: Path, **changes: object) -> None:
        path = Path(source)
        if path in self._photos:
            self._photos[path] = replace(self._photos[path], **changes)

    # --- reading --------------------------------------------------------------------

    @property
    def photos(self) -> list[PhotoReceipt]:
        """Every chosen photo's outcome, in the order chosen."""
        return list(self._photos.values())

    def _where(self, test: Callable[[PhotoReceipt], bool]) -> list[PhotoReceipt]:
        return [photo for photo in self._photos.values() if test(photo)]

    @property
    def not_read(self) -> list[PhotoReceipt]:
        """Photos never taken in nor refused: still on the device, to try again."""
        return self._where(lambda p: p.vaulted is Vaulted.NOT_READ and p.still_on_phone)

    @property
    def deleted(self) -> list[PhotoReceipt]:
        """Photos Clinfile deleted from the device after their vault copy was verified."""
        return self._where(lambda p: p.on_phone is OnPhone.DELETED)

    @property
    def safe_but_on_phone(self) -> list[PhotoReceipt]:
        """Photos safe in the vault yet still on the device (or maybe, if it went away)."""
        return self._where(lambda p: p.safe_in_vault and p.still_on_phone)

    @property
    def complete(self) -> bool:
        """Whether every chosen photo was read (taken in, found in the vault or refused)."""
        return not self.not_read

    @property
    def troubled(self) -> bool:
        """Whether the person has something left to do: photos unread, or not deleted as asked."""
        unexpected = self.delete and any(p.why for p in self.safe_but_on_phone)
        refused = any(p.vaulted is Vaulted.REFUSED for p in self._photos.values())
        return bool(self.not_read) or unexpected or refused

    def headline(self) -> str:
        """A few sentences saying what happened, naming the photos still on the phone."""
        imported = self._where(lambda p: p.vaulted is Vaulted.IMPORTED)
        already = self._where(lambda p: p.vaulted is Vaulted.ALREADY)
        first = f"{photos(len(imported))} imported from {self.device}"
        if already:
            first += f", {photos(len(already))} already in the vault"
        if self.delete:
            first += f", {len(self.deleted)} deleted from the phone"
        elif imported or already:
            first += ", kept on the phone"
            if self.kept_because == POLICY_KEEPS:
                first += " (the practice's setting)"
        sentences = [("Import stopped: " if self.cancelled else "") + first + "."]
        if self.device_went_away:
            sentences.insert(0, f"{self.device} went away during the import.")
        refused = self._where(lambda p: p.vaulted is Vaulted.REFUSED)
        if refused:
            sentences.append(f"{_counted(refused)} refused as not safe to take in and "
                             f"{_are(refused)} still on the phone ({_named(refused)}).")
        elsewhere = self._where(lambda p: p.vaulted is Vaulted.NOT_READ
                                and p.on_phone is OnPhone.MISSING)
        if elsewhere:
            sentences.append(f"{_counted(elsewhere)} {'was' if len(elsewhere) == 1 else 'were'} "
                             "taken in and off the phone by another import running at the "
                             f"same time ({_named(elsewhere)}).")
        missing = self._where(lambda p: p.safe_in_vault and p.on_phone is OnPhone.MISSING)
        if missing:
            sentences.append(f"{_counted(missing)} safe in the vault "
                             f"{'was' if len(missing) == 1 else 'were'} already gone from the "
                             f"phone when Clinfile came to delete "
                             f"{'it' if len(missing) == 1 else 'them'} ({_named(missing)}).")
        left = self._where(lambda p: p.safe_in_vault and p.still_on_phone and bool(p.why))
        for why, some in _by_reason(left if self.delete else []).items():
            sentences.append(f"{_counted(some)} safe in the vault {_still(some)} on the phone "
                             f"({_named(some)}). {_explained(why, len(some))}")
        for why, some in _by_reason(self.not_read).items():
            sentences.append(f"{_counted(some)} not read and {_are(some)} still on the phone "
                             f"({_named(some)}). {_explained(why, len(some))} "
                             "Import again to take "
                             f"{'it' if len(some) == 1 else 'them'} in.")
        return " ".join(sentences)

    def lines(self) -> list[str]:
        """One line per photo chosen, as on a printed receipt."""
        return [photo.words() for photo in self._photos.values()]

    def as_json(self) -> dict:
        """The receipt for scripts."""
        return {"device": self.device, "delete": self.delete, "cancelled": self.cancelled,
                "interrupted": self.interrupted,
                "device_went_away": self.device_went_away, "complete": self.complete,
                "photos": [{"path": str(p.path), "vault": str(p.vaulted),
                            "phone": str(p.on_phone), "why": p.why, "item_id": p.item_id,
                            "sha256": p.sha256} for p in self._photos.values()]}


class SafeCopies:
    """What deleting the photos already safe in the vault did, photo by photo.

    A photo found already gone (deleted on the phone meanwhile) is said to be
    gone, never to be kept on the phone.
    """

    def __init__(self, device: str) -> None:
        """Tally the outcome for ``device``, named as shown to the person."""
        self.device = device
        self.deleted = 0
        self.kept: list[str] = []
        self.gone: list[str] = []
        self.lines: list[str] = []

    def add(self, event: ev.Event) -> None:
        """Take in one photo's outcome."""
        if isinstance(event, ev.SourceDeleted):
            self.deleted += 1
            self.lines.append(f"{event.source.name}: deleted from the phone.")
        elif isinstance(event, ev.SourceKept) and event.reason == ALREADY_GONE:
            self.gone.append(event.source.name)
            self.lines.append(f"{event.source.name}: already gone from the phone.")
        elif isinstance(event, ev.SourceKept):
            self.kept.append(event.source.name)
            self.lines.append(f"{event.source.name}: kept on the phone. {event.reason}")

    def words(self) -> str:
        """One to three sentences, the photos gone or kept named."""
        words = (f"{photos(self.deleted)} already safe in the vault "
                 f"{'was' if self.deleted == 1 else 'were'} deleted from {self.device}.")
        if self.gone:
            words += (f" {photos(len(self.gone)).capitalize()} had already gone from the "
                      f"phone ({', '.join(self.gone)}).")
        if self.kept:
            words += (f" {photos(len(self.kept)).capitalize()} "
                      f"{'was' if len(self.kept) == 1 else 'were'} kept "
                      f"({', '.join(self.kept)}); see why below.")
        return words


def _by_reason(some: list[PhotoReceipt]) -> dict[str, list[PhotoReceipt]]:
    grouped: dict[str, list[PhotoReceipt]] = {}
    for photo in some:
        grouped.setdefault(photo.why, []).append(photo)
    return grouped


def _still(some: list[PhotoReceipt]) -> str:
    if all(p.on_phone is OnPhone.GONE_AWAY for p in some):
        return "may still be"
    return f"{_are(some)} still"


def _explained(why: str, count: int) -> str:
    """A photo's reason, said of ``count`` photos with the plurals right."""
    if count == 1:
        return why
    folder = _disk_full_folder(why)
    if folder is not None:
        return disk_full(folder, count)
    return _PLURAL.get(why, "See each one below.")


def _counted(some: list[PhotoReceipt]) -> str:
    return photos(len(some)).capitalize()


def _are(some: list[PhotoReceipt]) -> str:
    return "is" if len(some) == 1 else "are"


def _named(some: list[PhotoReceipt]) -> str:
    names = [photo.path.name for photo in some[:NAMED_AT_MOST]]
    if len(some) > NAMED_AT_MOST:
        return ", ".join(names) + f" and {len(some) - NAMED_AT_MOST} more"
    return ", ".join(names)
