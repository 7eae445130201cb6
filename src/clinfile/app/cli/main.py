"""The ``clinfile`` command: the window when run bare, the verbs otherwise."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from clinfile import __version__
from clinfile.app import paths
from clinfile.app.cli import (
    check_verbs,
    consent_verbs,
    device_verbs,
    fhir_verbs,
    ingest_verbs,
    pacs_verbs,
    patient_verbs,
    report_verbs,
    user_verbs,
    vault_verbs,
)
from clinfile.app.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_PROBLEMS,
    EXIT_READER_GONE,
    EXIT_REFUSED,
    EXIT_USAGE,
    Console,
    ReaderGone,
)
from clinfile.app.errors import MEANT_FOR_PEOPLE, in_words
from clinfile.app.security.roles import PolicyRefused
from clinfile.app.vault.errors import (
    DiskFull,
    OlderCopy,
    VaultBusy,
    VaultDamaged,
    disk_full,
)
from clinfile.app.vault.keyslots import KeySlotsDamaged
from clinfile.db.connection import DatabaseError, is_busy

VERB_MODULES = [vault_verbs, user_verbs, consent_verbs, patient_verbs, report_verbs, ingest_verbs,
                pacs_verbs, device_verbs, fhir_verbs, check_verbs]

log = logging.getLogger("clinfile")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every verb's sub-parser registered."""
    parser = argparse.ArgumentParser(
        prog="clinfile",
        description="Clinical photographs in encrypted custody, filed with consent.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    for module in VERB_MODULES:
        module.register(verbs)
    return parser


def run(argv: Sequence[str], console: Console | None = None) -> int:
    """Run one command line and return its exit code."""
    console = console or Console()
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help(console.stdout)
        return 0
    try:
        return int(args.handler(args, console))
    except ReaderGone:
        return EXIT_READER_GONE
    except PolicyRefused as exc:
        console.warn(f"Refused: {exc}")
        return EXIT_REFUSED
    except (VaultDamaged, KeySlotsDamaged, OlderCopy, DiskFull) as exc:
        console.warn(str(exc))
        return EXIT_PROBLEMS
    except DatabaseError as exc:
        if is_busy(exc):
            console.warn(str(VaultBusy()))
            return EXIT_USAGE
        console.warn(str(DiskFull() if disk_full(exc)
                         else VaultDamaged("a database page could not be read")))
        return EXIT_PROBLEMS
    except MEANT_FOR_PEOPLE as exc:
        console.warn(in_words(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.warn("Stopped.")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence: log it, say it plainly
        if disk_full(exc):
            console.warn(str(DiskFull()))
            return EXIT_PROBLEMS
        log.exception("unexpected failure in %s", args.verb)
        console.warn(f"Clinfile hit an unexpected problem ({type(exc).__name__}). "
                     f"The details are in the log in {paths.log_dir()}.")
        return EXIT_PROBLEMS

