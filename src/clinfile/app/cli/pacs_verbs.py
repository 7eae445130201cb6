"""Verbs for the practice's PACS: ``clinfile pacs configure|send|status VAULT ...``.

``send`` queues the chosen filed pictures (every filed one when none are
named) and sends whatever waits; a PACS that cannot be reached leaves them
waiting and the verb exits with 1, saying so. ``status`` says which PACS is
set up and how the queue stands.
"""

from __future__ import annotations

import argparse

from clinfile.app.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    Console,
    UsageError,
    add_json_argument,
    add_login_arguments,
    with_session,
)
from clinfile.app.custody.secrets import SecretStoreUnavailable
from clinfile.app.filing.service import FilingService, find_patient
from clinfile.app.interop.pacs_config import PacsConfig
from clinfile.app.interop.pacs_service import PacsService
from clinfile.app.security.session import Session


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``pacs configure|send|status``."""
    pacs = verbs.add_parser("pacs", help="archive filed pictures in the practice's PACS")
    acts = pacs.add_subparsers(dest="pacs_act", metavar="ACT", required=True)
    _register_configure(acts)
    _register_send(acts)
    _register_status(acts)


def _register_configure(acts: argparse._SubParsersAction) -> None:
    configure = acts.add_parser("configure", help="set the practice's PACS (admins)")
    add_login_arguments(configure)
    configure.add_argument("--host", required=True, help="the PACS's host name or address")
    configure.add_argument("--port", required=True, type=int, help="its DICOM port, e.g. 4242")
    configure.add_argument("--called-ae", required=True, help="the PACS's AE title")
    configure.add_argument("--calling-ae", default="CLINFILE",
                           help="this practice's AE title (default CLINFILE)")
    configure.add_argument("--tls-ca", default="", help="CA bundle; connects over TLS when set")
    configure.add_argument("--tls-certificate", default="", help="this workstation's certificate")
    configure.add_argument("--tls-key", default="", help="the key of that certificate")
    configure.add_argument("--dicomweb-url", default="",
                           help="the archive's DICOMweb address, to show pictures other "
                                "workstations archived")
    configure.add_argument("--dicomweb-user", default="", help="the user name for it")
    configure.add_argument("--dicomweb-password", action="store_true",
                           help="ask for its password (the next line with --password-stdin) "
                                "and keep it in the keyring")
    configure.set_defaults(handler=_configure)


def _configure(args: argparse.Namespace, console: Console) -> int:
    config = PacsConfig(args.host, args.port, args.called_ae, args.calling_ae, args.tls_ca,
                        args.tls_certificate, args.tls_key, args.dicomweb_url,
                        args.dicomweb_user)

    def act(session: Session) -> int:
        password = console.secret(args, "DICOMweb password: ") if args.dicomweb_password \
            else None
        try:
            PacsService(session).configure(config, password)
        except SecretStoreUnavailable as exc:
            raise UsageError(str(exc)) from None
        console.say(f"Pictures will be archived in {config.called_ae} at "
                    f"{config.host}:{config.port}{' over TLS' if config.uses_tls else ''}.")
        return EXIT_OK

    return with_session(args, console, act)


def _register_send(acts: argparse._SubParsersAction) -> None:
    send = acts.add_parser("send", help="queue filed pictures for the PACS and send what waits "
                                        "(exit 1 when the PACS cannot be reached)")
    add_login_arguments(send)
    which = send.add_mutually_exclusive_group()
    which.add_argument("--patient", help="the patient's id or record number (all their pictures)")
    which.add_argument("--images", help="comma-separated filed image ids, e.g. 12,13")
    which.add_argument("--waiting-only", action="store_true",
                       help="queue nothing new; only send what already waits")
    add_json_argument(send)
    send.set_defaults(handler=_send)


def _send(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        service = PacsService(session)
        queued = 0 if args.waiting_only else service.queue(_chosen(session, args))
        report = service.send_waiting()
        if args.json:
            console.emit_json({"queued": queued, "sent": report.sent,
                               "waiting": report.still_waiting, "refused": report.refused,
                               "problem": report.problem})
        else:
            console.say(f"Sent {report.sent} picture{'s' if report.sent != 1 else ''} "
                        f"to the PACS; {report.still_waiting} waiting.")
            if report.refused:
                console.say(f"{report.refused} not sent: see 'clinfile pacs status'.")
        if report.problem:
            console.warn(report.problem)
        return EXIT_PROBLEMS if report.still_waiting else EXIT_OK

    return with_session(args, console, act)


def _chosen(session: Session, args: argparse.Namespace) -> list[int] | None:
    if args.images:
        try:
            return [int(part) for part in args.images.split(",") if part.strip()]
        except ValueError:
            raise UsageError(f"'{args.images}' is not a list of image ids such as 12,13") \
                from None
    if args.patient:
        with session.vault.index() as conn:
            patient = find_patient(conn, args.patient)
        return [i.image_id for i in FilingService(session).images_of(patient.id)
                if not i.deleted and i.patient_id == patient.id]
    return None


def _register_status(acts: argparse._SubParsersAction) -> None:
    status = acts.add_parser("status", help="which PACS is set up and how its queue stands")
    add_login_arguments(status)
    add_json_argument(status)
    status.set_defaults(handler=_status)


def _status(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        status = PacsService(session).status()
        config = status.config
        if args.json:
            console.emit_json({
                "pacs": None if config is None else {
                    "host": config.host, "port": config.port, "called_ae": config.called_ae,
                    "calling_ae": config.calling_ae, "tls": config.uses_tls},
                "waiting": status.waiting, "sent": status.sent, "refused": status.refused,
                "last_problem": status.last_problem, "last_tried": status.last_tried,
                "refusals": [{"image": image, "reason": reason}
                             for image, reason in status.refusals]})
            return EXIT_OK
        if config is None:
            console.say("No PACS is set up.")
        else:
            console.say(f"PACS: {config.called_ae} at {config.host}:{config.port}"
                        f"{' over TLS' if config.uses_tls else ''}")
        console.say(f"Waiting: {status.waiting}   Sent: {status.sent}   "
                    f"Not sent: {status.refused}")
        if status.last_problem:
            console.say(f"Last problem ({status.last_tried}): {status.last_problem}")
        for image, reason in status.refusals:
            console.say(f"Picture {image} not sent: {reason}")
        return EXIT_OK

    return with_session(args, console, act)
