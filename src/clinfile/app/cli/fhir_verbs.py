"""Verbs for the practice's FHIR server: ``clinfile fhir server|refresh VAULT ...``.

``server`` sets the address (admins) and, with ``--token``, asks for the
access token and keeps it in the operating system's keyring. ``refresh``
reads every Patient the server holds into the patient index; where no
keyring can keep the token, ``--token`` asks for it for this time only.
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
from clinfile.app.interop.fhir_server import FhirServer, FhirServerService
from clinfile.app.security.session import Session


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``fhir server|refresh``."""
    fhir = verbs.add_parser("fhir", help="the practice's FHIR server, for the patient index")
    acts = fhir.add_subparsers(dest="fhir_act", metavar="ACT", required=True)
    server = acts.add_parser("server", help="set the FHIR server (admins)")
    add_login_arguments(server)
    server.add_argument("--url", required=True, help="its base address, e.g. "
                                                     "https://fhir.example.org/r4")
    server.add_argument("--page-size", type=int, default=100, help="patients per page")
    server.add_argument("--token", action="store_true",
                        help="ask for the access token (the next line with --password-stdin) "
                             "and keep it in the keyring")
    server.set_defaults(handler=_server)
    refresh = acts.add_parser("refresh", help="bring the patient index up to date from it")
    add_login_arguments(refresh)
    refresh.add_argument("--token", action="store_true",
                         help="ask for the access token for this time only")
    add_json_argument(refresh)
    refresh.set_defaults(handler=_refresh)


def _server(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        token = console.secret(args, "Access token: ") if args.token else None
        try:
            FhirServerService(session).configure(FhirServer(args.url, args.page_size), token)
        except SecretStoreUnavailable as exc:
            raise UsageError(str(exc)) from None
        console.say(f"The patient index will be refreshed from {args.url}.")
        return EXIT_OK

    return with_session(args, console, act)


def _refresh(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        token = console.secret(args, "Access token: ") if args.token else None
        try:
            report = FhirServerService(session).refresh(token=token)
        except SecretStoreUnavailable as exc:
            raise UsageError(f"{exc} Give it with --token.") from None
        if args.json:
            console.emit_json(report.as_dict())
        else:
            console.say(f"From the FHIR server: {report.added} added, {report.updated} updated, "
                        f"{report.unchanged} unchanged.")
            for problem in report.problems:
                console.warn(f"Not used: {problem.where}: {problem.why}")
        return EXIT_PROBLEMS if report.problems else EXIT_OK

    return with_session(args, console, act)
