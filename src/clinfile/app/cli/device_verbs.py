"""Phones and cameras from the command line: ``clinfile device list|import``.

``clinfile import`` given a phone's folder comes here too, so that a phone
is treated the same however it is named: its photos are labelled as from a
device, the practice's deletion setting is kept, and the receipt says what
became of every photo. A script learns from the exit code whether any photo
was left unread on the phone.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from clinfile.app.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    Console,
    UsageError,
    add_json_argument,
    add_login_arguments,
    open_session,
)
from clinfile.app.ingest import events as ev
from clinfile.app.ingest.device_sources import DeviceSource, gphoto
from clinfile.app.ingest.device_sources.gphoto import find_gphoto2_devices
from clinfile.app.ingest.device_sources.wpd import find_wpd_devices
from clinfile.app.ingest.devices import (
    CameraVolume,
    DeletionPolicy,
    Listing,
    find_camera_volumes,
    real_place,
    volume_holding,
)
from clinfile.app.ingest.receipt import (
    CHOSEN_TO_KEEP,
    POLICY_KEEPS,
    ImportReceipt,
    edits_words,
    hidden_words,
    photos,
)
from clinfile.app.ingest.service import ImportService
from clinfile.app.reports.signed_forms import attach_signed_form
from clinfile.app.security.session import Session

POLICY_ALWAYS = ("The practice deletes photos from phones once they are safely in the vault "
                 "(its setting is “always”), so --keep-source cannot be used; an "
                 "administrator can change the setting.")
POLICY_NEVER = ("The practice keeps photos on phones (its setting is “never”), so "
                "--delete-from-device cannot be used; an administrator can change the setting.")
ASK_HOW = ("The practice asks each time whether photos leave the phone: add "
           "--delete-from-device or --keep-source.")


def register(verbs: argparse._SubParsersAction) -> None:
    """Add device list and device import."""
    device = verbs.add_parser("device", help="list plugged-in phones and cameras, or import "
                                             "from one")
    actions = device.add_subparsers(dest="device_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list plugged-in phones and cameras")
    listing.add_argument("--under", type=Path, action="append", metavar="FOLDER",
                         help="look for devices mounted under this folder (default: where "
                              "this system mounts them)")
    add_json_argument(listing)
    listing.set_defaults(handler=_list)
    port_help = ("a libgphoto2 port to import from over PTP/MTP, e.g. usb:001,004 (see "
                 "device list), or disk:/folder for a folder served the same way")

    imp = actions.add_parser("import", help="import photos from a phone or camera")
    add_login_arguments(imp)
    imp.add_argument("device", nargs="?", help="the device's name as listed, or its folder")
    imp.add_argument("--port", help=port_help)
    imp.add_argument("--under", type=Path, action="append", metavar="FOLDER",
                     help="look for devices mounted under this folder")
    imp.add_argument("--taken", metavar="YYYY-MM-DD[..YYYY-MM-DD]",
                     help="only the photos of this day, or this range of days, by the date the "
                          "phone saved each file")
    add_deletion_arguments(imp)
    add_json_argument(imp)
    imp.set_defaults(handler=_import)


def add_deletion_arguments(parser: argparse.ArgumentParser) -> None:
    """The two answers to whether photos leave the device, where the practice lets one choose."""
    parser.add_argument("--keep-source", action="store_true",
                        help="leave the files where they are after import")
    parser.add_argument("--delete-from-device", action="store_true",
                        help="for a phone or camera: delete its photos once their vault copy "
                             "is verified, where the practice leaves it to you")


def _list(args: argparse.Namespace, console: Console) -> int:
    others = [] if args.under else [*find_gphoto2_devices(), *find_wpd_devices()]
    devices: list[DeviceSource] = [*find_camera_volumes(args.under), *others]
    found = [(device, device.list_device().images) for device in devices]
    if args.json:
        console.emit_json([{"name": d.label, "where": str(d.dcim), "transport": d.transport,
                            "may_delete": d.may_delete, "photos": len(images)}
                           for d, images in found])
        return EXIT_OK
    if not found:
        console.say("No phone or camera was found.")
    for device, images in found:
        deleting = "" if device.may_delete else "; it does not allow deleting"
        console.say(f"{device.label}: {photos(len(images))}, reached {device.transport}, at "
                    f"{device.dcim}{deleting}")
    return EXIT_OK


def _import(args: argparse.Namespace, console: Console) -> int:
    if bool(args.device) == bool(args.port):
        raise UsageError("Name the device, or give its --port, but not both.")
    volume = _on_port(args.port) if args.port else _named_device(args.device, args.under)
    taken = _taken_range(args.taken) if args.taken else None
    session = open_session(args, console)
    try:
        found = photos_beneath(volume, [volume.dcim])
        chosen = [image for image in found.images
                  if taken is None or taken[0] <= image.taken.astimezone().date() <= taken[1]]
        receipt = import_device(session, volume, Listing(chosen, found.edits, found.hidden),
                                args, console)
    finally:
        session.lock(reason="command finished")
    if args.json:
        console.emit_json(receipt.as_json())
    if receipt.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if receipt.complete and receipt.photos else EXIT_PROBLEMS


def import_device(session: Session, volume: DeviceSource, listing: Listing,
                  args: argparse.Namespace, console: Console) -> ImportReceipt:
    """Import the photos listed from a device under the practice's policy; print the receipt.

    Nothing is said of the device before the person is known to be allowed to import.
    """
    service = ImportService(session)
    for unfinished in service.unfinished_device_imports():
        console.warn(unfinished.words())
    if listing.edits:
        console.say(edits_words(len(listing.edits)))
    if listing.hidden:
        console.say(hidden_words(len(listing.hidden)))
    chosen = listing.images
    if not chosen:
        console.warn(f"No photo on {volume.label} matches what was asked; nothing was "
                     "imported.")
        return ImportReceipt(volume.label, [], delete=False)
    policy, because = _settled_policy(service.deletion_policy(), args, console, len(chosen))
    cancel = ev.CancelToken()
    running = service.import_from_device(volume, chosen, policy=policy, kept_because=because,
                                         cancel=cancel)
    receipt = running.receipt
    with _ctrl_c_stops(receipt, cancel):
        for event in running:
            if isinstance(event, ev.Imported):
                form = attach_signed_form(session, event.item_id)
                if form is not None and not args.json:
                    console.say(str(form))
    if not args.json:
        for resumed in receipt.resumed:
            console.say(f"Interrupted import of {resumed.source}: {resumed.outcome}")
        for line in receipt.lines():
            console.say(line)
        (console.warn if receipt.troubled else console.say)(receipt.headline())
    return receipt


@contextmanager
def _ctrl_c_stops(receipt: ImportReceipt, cancel: ev.CancelToken) -> Iterator[None]:
    """Let Ctrl-C stop the import between photos, so its receipt is still printed.

    The first Ctrl-C marks the receipt as interrupted (the next start tells
    of it again) and asks the import to stop once the photo in hand is
    settled; a second ends the command at once, as Ctrl-C always does.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        receipt.interrupted = True
        signal.signal(signal.SIGINT, previous)
        # Set from a thread of its own: the signal may have come while this
        # thread held the token's lock.
        threading.Thread(target=cancel.cancel, name="ctrl-c").start()

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def device_paths(paths: Sequence[Path]) -> tuple[dict[CameraVolume, list[Path]], list[Path]]:
    """Split paths given to ``clinfile import`` into those on a device, by device, and the rest."""
    devices: dict[CameraVolume, list[Path]] = {}
    others = []
    for path in paths:
        volume = volume_holding(path)
        if volume is None:
            others.append(path)
        else:
            devices.setdefault(volume, []).append(real_place(path))
    return devices, others


def photos_beneath(volume: DeviceSource, given: Sequence[Path]) -> Listing:
    """The device's photos, and iPhone edit files, that are or lie inside a path given."""
    def wanted(path: Path) -> bool:
        return any(path == place or place in path.parents or place in volume.dcim.parents
                   or place == volume.dcim for place in given)

    listing = volume.list_device()
    return Listing([image for image in listing.images if wanted(image.path)],
                   [path for path in listing.edits if wanted(path)],
                   [path for path in listing.hidden if wanted(path)])


def _settled_policy(policy: DeletionPolicy, args: argparse.Namespace, console: Console,
                    count: int) -> tuple[DeletionPolicy, str]:
    """The practice's rule, with the person's answer where it asks; refuse what it forbids."""
    if policy is DeletionPolicy.ALWAYS:
        if args.keep_source:
            raise UsageError(POLICY_ALWAYS)
        return policy, CHOSEN_TO_KEEP
    if policy is DeletionPolicy.NEVER:
        if args.delete_from_device:
            raise UsageError(POLICY_NEVER)
        return policy, POLICY_KEEPS
    if args.keep_source and args.delete_from_device:
        raise UsageError("Choose one of --keep-source and --delete-from-device.")
    if args.keep_source:
        return DeletionPolicy.NEVER, CHOSEN_TO_KEEP
    if args.delete_from_device:
        return DeletionPolicy.ALWAYS, CHOSEN_TO_KEEP
    if not console.stdin.isatty():
        raise UsageError(ASK_HOW)
    these = "this photo" if count == 1 else f"these {count} photos"
    console.say(f"Delete {these} from the phone once {'it is' if count == 1 else 'they are'} "
                "safely in the vault? (Recommended.) [Y/n] ")
    answer = console.stdin.readline().strip().lower()
    delete = answer in ("", "y", "yes")
    return (DeletionPolicy.ALWAYS if delete else DeletionPolicy.NEVER), CHOSEN_TO_KEEP


def _on_port(port: str) -> DeviceSource:
    """Open the device libgphoto2 finds on a port (``disk:`` ports use its directory driver)."""
    try:
        return gphoto.open_port(port)
    except OSError as exc:
        raise UsageError(f"{exc} See clinfile device list.") from None


def _named_device(name: str, under: list[Path] | None) -> DeviceSource:
    """The device a script named: a folder on it, or its name as ``device list`` shows it."""
    path = Path(name)
    if path.exists():
        volume = volume_holding(path)
        if volume is None:
            raise UsageError(f"{name} is not a phone or camera (it has no DCIM folder).")
        return volume
    others = [] if under else [*find_gphoto2_devices(), *find_wpd_devices()]
    volumes = [v for v in [*find_camera_volumes(under), *others]
               if v.label.casefold() == name.casefold()]
    if not volumes:
        raise UsageError(f"No phone or camera called {name} is plugged in; see clinfile "
                         "device list.")
    if len(volumes) > 1:
        raise UsageError(f"More than one device is called {name}; give its folder instead.")
    return volumes[0]


def _taken_range(text: str) -> tuple[date, date]:
    """Read 2026-03-01 or 2026-03-01..2026-03-04."""
    first, _sep, last = text.partition("..")
    try:
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
    except ValueError:
        raise UsageError(f"--taken wants a day as YYYY-MM-DD, or a range "
                         f"YYYY-MM-DD..YYYY-MM-DD, not {text}") from None
    if end < start:
        raise UsageError("--taken: the range ends before it begins.")
    return start, end
