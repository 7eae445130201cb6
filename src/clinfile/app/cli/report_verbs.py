"""Verbs that print and export: consent forms, summaries, the recovery sheet, clean files.

``clinfile report consent-form|summary|recovery|signed-forms`` and ``clinfile
export``. Purposes and recipients are the words of ``clinfile.app.consent.vocabulary``
(``clinical-care education research publication``; a recipient class word or
a name). An export the consent rules refuse exits with 3 and says why.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from clinfile.app import clock
from clinfile.app.cli.common import (
    EXIT_OK,
    Console,
    UsageError,
    add_json_argument,
    add_login_arguments,
    recipient_word,
    vocabulary_word,
    with_session,
)
from clinfile.app.consent.vocabulary import Purpose, RecipientClass, words
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.ingest.service import ImportService
from clinfile.app.name_pattern import NamePatternError
from clinfile.app.reports.recovery_sheet import RecoverySheet, write_recovery_sheet
from clinfile.app.reports.service import ReportService, Selection, Written
from clinfile.app.reports.signed_forms import attach_signed_form
from clinfile.app.security.session import Session
from clinfile.app.vault.vault import RECOVERY_ACTOR, Vault


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``report consent-form|summary|recovery|signed-forms`` and ``export``."""
    report = verbs.add_parser("report", help="print consent forms, summaries and the "
                                             "recovery sheet")
    kinds = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    _register_consent_form(kinds)
    _register_summary(kinds)
    _register_recovery(kinds)
    _register_signed_forms(kinds)
    _register_export(verbs)


# --- report consent-form ---------------------------------------------------------------

def _register_consent_form(kinds: argparse._SubParsersAction) -> None:
    form = kinds.add_parser("consent-form", help="print a consent form to sign, pre-filled "
                                                 "for a recorded consent, or blank")
    add_login_arguments(form)
    which = form.add_mutually_exclusive_group(required=True)
    which.add_argument("--consent", help="the consent's id or printed code")
    which.add_argument("--blank", action="store_true", help="the print-ahead form")
    _add_output_arguments(form)
    form.set_defaults(handler=_consent_form)


def _consent_form(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> Written:
        service = ReportService(session)
        if args.blank:
            return service.blank_consent_form(out=args.out, force=args.force)
        return service.consent_form(args.consent, out=args.out, force=args.force)

    return _writing(args, console, act, "Consent form")


# --- report summary --------------------------------------------------------------------

def _register_summary(kinds: argparse._SubParsersAction) -> None:
    summary = kinds.add_parser("summary", help="write the record-attachment summary PDF for "
                                               "the clinical record (into the outbox)")
    add_login_arguments(summary)
    _add_selection_arguments(summary)
    summary.add_argument("--episode", type=int, help="only this filed episode of the patient")
    _add_output_arguments(summary)
    summary.set_defaults(handler=_summary)


def _summary(args: argparse.Namespace, console: Console) -> int:
    return _writing(args, console, lambda session: ReportService(session).summary(
        _selection(args), out=args.out, force=args.force), "Summary")


# --- report recovery -------------------------------------------------------------------

def _register_recovery(kinds: argparse._SubParsersAction) -> None:
    recovery = kinds.add_parser(
        "recovery", help="print the recovery sheet for a recovery key you wrote down "
                         "(the key is checked against the vault first)")
    recovery.add_argument("vault", help="the vault folder")
    recovery.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    recovery.add_argument("--password-stdin", action="store_true",
                          help="read the recovery key from the first line of standard input")
    recovery.set_defaults(handler=_recovery)


def _recovery(args: argparse.Namespace, console: Console) -> int:
    key = console.secret(args, "Recovery key: ")
    vault = Vault.unlock_with_recovery(Path(args.vault), key)
    try:
        sheet = RecoverySheet(vault.vault_id, str(vault.layout.root.resolve()), key.strip(),
                              clock.today())
        write_recovery_sheet(sheet, args.out)
        with vault.index() as conn:
            vault.audit.record(conn, AuditEntry(RECOVERY_ACTOR, "report.recovery_sheet_printed",
                                                "", {"file": str(args.out)}))
    finally:
        vault.lock()
    console.say(f"Recovery sheet written to {args.out}. Keep it locked away.")
    return EXIT_OK


# --- report signed-forms ---------------------------------------------------------------

def _register_signed_forms(kinds: argparse._SubParsersAction) -> None:
    signed = kinds.add_parser(
        "signed-forms", help="find signed consent forms among inbox items by their QR code "
                             "and attach each to its consent")
    add_login_arguments(signed)
    signed.add_argument("items", nargs="*", type=int, metavar="ITEM",
                        help="inbox item ids (default: every unfiled item)")
    add_json_argument(signed)
    signed.set_defaults(handler=_signed_forms)


def _signed_forms(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        items = args.items or [row.id for row in ImportService(session).inbox()]
        found = [f for f in (attach_signed_form(session, item) for item in items) if f]
        if args.json:
            console.emit_json([{"item_id": f.item_id, "code": f.code,
                                "consent_id": f.consent.id if f.consent else None,
                                "problem": f.problem} for f in found])
            return EXIT_OK
        if not found:
            console.say("No signed consent forms among those items.")
        for form in found:
            if form.consent:
                console.say(f"Item {form.item_id}: signed form attached to consent "
                            f"{form.code}; it now counts.")
            else:
                console.say(f"Item {form.item_id}: form {form.code} not attached: "
                            f"{form.problem}")
        return EXIT_OK

    return with_session(args, console, act)


# --- export ------------------------------------------------------------------------

def _register_export(verbs: argparse._SubParsersAction) -> None:
    export = verbs.add_parser(
        "export", help="export clean images for a purpose and recipient the consent allows "
                       "(exit 3 when refused)")
    add_login_arguments(export)
    _add_selection_arguments(export)
    export.add_argument("--purpose", required=True, help=f"one of: {words(Purpose)}")
    export.add_argument("--recipient", required=True,
                        help=f"one of: {words(RecipientClass)}, or a name")
    export.add_argument("--format", required=True, choices=["pdf", "jpeg", "dicom", "fhir"],
                        dest="file_format")
    export.add_argument("--deidentify", action="store_true",
                        help="remove every identifier (always done for any purpose other "
                             "than clinical care; consent is still needed)")
    export.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the folder to write into (refused inside a cloud-sync folder)")
    export.add_argument("--force", action="store_true",
                        help="write even inside a cloud-sync folder (not advised)")
    add_json_argument(export)
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace, console: Console) -> int:
    purpose = vocabulary_word(Purpose, args.purpose, "purpose")
    recipient = recipient_word(args.recipient)
    return _writing(args, console, lambda session: ReportService(session).export(
        _selection(args), purpose, recipient, file_format=args.file_format, out=args.out,
        deidentify=args.deidentify, force=args.force), "Export")


# --- shared --------------------------------------------------------------------------

def _add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--patient", help="the patient's id or record number (all their images)")
    which.add_argument("--images", help="comma-separated filed image ids, e.g. 12,13")


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="the folder to write into (default: the practice's outbox)")
    parser.add_argument("--force", action="store_true",
                        help="write even inside a cloud-sync folder (not advised)")
    add_json_argument(parser)


def _selection(args: argparse.Namespace) -> Selection:
    try:
        ids = tuple(int(part) for part in (args.images or "").split(",") if part.strip())
    except ValueError:
        raise UsageError(f"'{args.images}' is not a list of image ids such as 12,13") from None
    return Selection(patient=args.patient, episode=getattr(args, "episode", None),
                     image_ids=ids)


def _writing(args: argparse.Namespace, console: Console, act: Callable[[Session], Written],
             what: str) -> int:
    def run(session: Session) -> int:
        try:
            written = act(session)
        except NamePatternError as exc:
            raise UsageError(str(exc)) from None
        for warning in written.warnings:
            console.warn(f"Warning: {warning}")
        if args.json:
            console.emit_json({"files": [str(p) for p in written.paths]})
        else:
            for path in written.paths:
                console.say(f"{what} written to {path}")
        return EXIT_OK

    return with_session(args, console, run)

