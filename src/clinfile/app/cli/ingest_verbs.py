"""Verbs that take pictures into custody and show the inbox and quarantine."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
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
from clinfile.app.cli.device_verbs import (
    add_deletion_arguments,
    device_paths,
    import_device,
    photos_beneath,
)
from clinfile.app.clock import local_time
from clinfile.app.custody.locations import check_location
from clinfile.app.ingest import events as ev
from clinfile.app.ingest.decode_workers import warm_up
from clinfile.app.ingest.metadata import camera_name
from clinfile.app.ingest.service import ImportService
from clinfile.app.ingest.shared_drop import DEFAULT_TIMEOUT_SECONDS, SharedDrop, this_workstation
from clinfile.app.reports.signed_forms import RecognisedForm, attach_signed_form
from clinfile.app.security.session import Session


def register(verbs: argparse._SubParsersAction) -> None:
    """Add import, watch, inbox and quarantine."""
    imp = verbs.add_parser("import", help="take picture files or folders into the vault's inbox "
                                          "(a phone's folder under the practice's deletion "
                                          "setting)")
    add_login_arguments(imp)
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                     help="files or folders to import")
    add_deletion_arguments(imp)
    add_json_argument(imp)
    imp.set_defaults(handler=_import)

    watch = verbs.add_parser("watch", help="watch a drop folder and import what arrives, "
                                           "until Ctrl-C")
    add_login_arguments(watch)
    watch.add_argument("folder", type=Path, help="the drop folder")
    watch.add_argument("--polling", action="store_true",
                       help="poll the folder instead of relying on file-system events")
    watch.add_argument("--force", action="store_true",
                       help="watch the folder even inside a cloud-sync folder (not advised)")
    watch.add_argument("--shared", action="store_true",
                       help="other workstations watch this folder too: claim each file first")
    watch.add_argument("--claim-timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS,
                       metavar="SECONDS", help="take over a stopped workstation's claimed files "
                                               "after this long (default 600)")
    watch.set_defaults(handler=_watch)

    inbox = verbs.add_parser("inbox", help="list pictures taken in but not yet filed")
    add_login_arguments(inbox)
    add_json_argument(inbox)
    inbox.set_defaults(handler=_inbox)

    quarantine = verbs.add_parser("quarantine", help="list files that were refused, and why")
    add_login_arguments(quarantine)
    add_json_argument(quarantine)
    quarantine.set_defaults(handler=_quarantine)


def _import(args: argparse.Namespace, console: Console) -> int:
    missing = [str(p) for p in args.paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(f"not found: {', '.join(missing)}")
    devices, others = device_paths(args.paths)
    if args.delete_from_device and not devices:
        raise UsageError("--delete-from-device is for a phone's or camera's folder.")
    warm_up()  # the decoders load while the password is checked
    session = open_session(args, console)
    left = 0
    try:
        report = _Report()
        for volume, given in devices.items():
            receipt = import_device(session, volume, photos_beneath(volume, given), args,
                                    console)
            report.devices.append(receipt.as_json())
            left += len(receipt.not_read)
            if receipt.interrupted:
                return EXIT_INTERRUPTED
        events = (ImportService(session).import_paths(others, keep_source=args.keep_source)
                  if others else [])
        for event in events:
            report.add(event)
            if isinstance(event, ev.Finished):
                left += event.left
            if not args.json:
                _say(console, event)
            form = _signed_form(session, event)
            if form is not None:
                report.forms.append({"item_id": form.item_id, "code": form.code,
                                     "consent_id": form.consent.id if form.consent else None,
                                     "problem": form.problem})
                if not args.json:
                    console.say(str(form))
        if args.json:
            console.emit_json(report.as_json())
    finally:
        session.lock(reason="command finished")
    # A script must know when files still wait at their source for another try;
    # a refused file has its answer, recorded in quarantine.
    return EXIT_PROBLEMS if left else EXIT_OK


def _watch(args: argparse.Namespace, console: Console) -> int:
    if not args.folder.is_dir():
        raise UsageError(f"{args.folder} is not a folder")
    warm_up()  # the decoders load while the password is checked
    session = open_session(args, console)
    cancel = ev.CancelToken()
    for warning in check_location(args.folder).warnings:
        console.warn(f"Warning: {warning}")
    console.say(f"Watching {args.folder}; press Ctrl-C to stop.")
    try:
        for event in ImportService(session).watch(args.folder, cancel=cancel,
                                                  polling=args.polling or None,
                                                  force=args.force,
                                                  shared=_shared(args)):
            _say(console, event)
            form = _signed_form(session, event)
            if form is not None:
                console.say(str(form))
    except KeyboardInterrupt:
        cancel.cancel()
        console.say("Stopped; every picture taken in so far is safe in the vault.")
    finally:
        session.lock(reason="command finished")
    return EXIT_OK


def _shared(args: argparse.Namespace) -> SharedDrop | None:
    if not args.shared:
        return None
    if args.claim_timeout <= 0:
        raise UsageError("The claim timeout must be a number of seconds above 0.")
    return SharedDrop(this_workstation(), args.claim_timeout)


def _inbox(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    try:
        items = ImportService(session).inbox()
    finally:
        session.lock(reason="command finished")
    if args.json:
        console.emit_json([{
            "item_id": i.id, "sha256": i.sha256, "format": i.format, "size": i.size,
            "source_kind": i.source_kind, "source": i.source_path,
            "received_at": i.received_at, "received_by": i.received_by,
            "captured_at": i.captured_at, "camera_make": i.camera_make,
            "camera_model": i.camera_model, "width": i.width, "height": i.height,
            "orientation": i.orientation, "had_gps": i.had_gps,
            "identifying_tags": list(i.identifying_tags), "status": i.status,
        } for i in items])
        return EXIT_OK
    if not items:
        console.say("The inbox is empty.")
    for i in items:
        camera = camera_name(i.camera_make, i.camera_model) or "unknown camera"
        taken = local_time(i.captured_at) if i.captured_at else "capture time unknown"
        console.say(f"{i.id:>6}  {local_time(i.received_at)}  {i.format:<5} {i.width}×{i.height}  "
                    f"{camera}, {taken}  from {i.source_path}")
    return EXIT_OK


def _quarantine(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    try:
        rows = ImportService(session).quarantine()
    finally:
        session.lock(reason="command finished")
    if args.json:
        console.emit_json([{"path": r.source_path, "reason": r.reason, "size": r.size,
                            "mtime_ns": r.mtime_ns, "quarantined_at": r.quarantined_at}
                           for r in rows])
        return EXIT_OK
    if not rows:
        console.say("Nothing is in quarantine.")
    for r in rows:
        console.say(f"{local_time(r.quarantined_at)}  {r.source_path}")
        console.say(f"    {r.reason}")
    return EXIT_OK


def _signed_form(session: Session, event: ev.Event) -> RecognisedForm | None:
    """Attach a newly imported picture to its consent if it is a signed consent form."""
    if isinstance(event, ev.Imported):
        return attach_signed_form(session, event.item_id)
    return None


class _Report:
    """What an import did, gathered for --json."""

    def __init__(self) -> None:
        self.imported: list[dict] = []
        self.duplicates: list[dict] = []
        self.refused: list[dict] = []
        self.kept: list[dict] = []
        self.resumed: list[dict] = []
        self.forms: list[dict] = []
        self.devices: list[dict] = []

    def add(self, event: ev.Event) -> None:
        match event:
            case ev.Imported():
                self.imported.append({"item_id": event.item_id, "sha256": event.sha256,
                                      "source": str(event.source)})
            case ev.Duplicate():
                self.duplicates.append({"item_id": event.item_id, "sha256": event.sha256,
                                        "source": str(event.source)})
            case ev.Quarantined():
                self.refused.append({"path": str(event.source), "reason": event.reason})
            case ev.SourceKept():
                self.kept.append({"path": str(event.source), "reason": event.reason})
            case ev.Resumed():
                self.resumed.append({"path": str(event.source), "outcome": event.outcome})

    def as_json(self) -> dict[str, Iterable[dict]]:
        return {"imported": self.imported, "duplicates": self.duplicates,
                "refused": self.refused, "kept": self.kept, "resumed": self.resumed,
                "signed_forms": self.forms, "devices": self.devices}


def _say(console: Console, event: ev.Event) -> None:
    match event:
        case ev.Imported():
            console.say(f"Imported {event.source} as item {event.item_id}.")
        case ev.Duplicate():
            console.say(f"Already in the vault (item {event.item_id}): {event.source}")
        case ev.Quarantined():
            console.say(f"Refused {event.source}: {event.reason}")
        case ev.SourceDeleted():
            console.say(f"Deleted the source {event.source}.")
        case ev.SourceKept():
            console.warn(f"Kept {event.source}: {event.reason}")
        case ev.Resumed():
            console.say(f"Interrupted import of {event.source}: {event.outcome}")
        case ev.Finished():
            left = f", {event.left} left where they are" if event.left else ""
            console.say(f"Done: {event.imported} imported, {event.duplicates} already in the "
                        f"vault, {event.refused} refused{left}"
                        + (" (stopped)." if event.cancelled else "."))
