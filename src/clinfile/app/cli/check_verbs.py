"""Verbs that check this install and this computer: ``selftest`` and ``doctor``."""

from __future__ import annotations

import argparse
from pathlib import Path

from clinfile.app.cli.common import EXIT_OK, EXIT_PROBLEMS, Console
from clinfile.app.desk.workstation import WorkstationStore
from clinfile.app.doctor import Level, Places, examine
from clinfile.app.selftest import run_selftest


def register(verbs: argparse._SubParsersAction) -> None:
    """Add selftest and doctor."""
    selftest = verbs.add_parser(
        "selftest", help="take an invented sample picture through a throwaway vault: import, "
                         "file, summary PDF, verify (nothing is kept)")
    selftest.set_defaults(handler=_selftest)

    doctor = verbs.add_parser(
        "doctor", help="check this computer for what could stop Clinfile working: keyring, "
                       "folder watching, cloud sync, free disk, the vault's files, Qt")
    doctor.add_argument("vault", nargs="?", type=Path,
                        help="the vault folder (default: the one this computer opens)")
    doctor.add_argument("--drop-folder", type=Path, action="append", metavar="FOLDER",
                        help="a drop folder to check (default: this computer's)")
    doctor.set_defaults(handler=_doctor)


def _selftest(args: argparse.Namespace, console: Console) -> int:
    console.say("Clinfile self-test: a throwaway vault and an invented sample picture.")

    def say(status: str, words: str) -> None:
        line = f"{status:<8}{words}"
        if status == "OK":
            console.say(line)
        else:
            console.warn(line)

    if run_selftest(say):
        console.say("Everything worked.")
        return EXIT_OK
    console.warn("The self-test failed at the step marked Problem above.")
    return EXIT_PROBLEMS


def _doctor(args: argparse.Namespace, console: Console) -> int:
    memory = WorkstationStore().load()
    remembered = [Path(memory.drop_folder)] if memory.drop_folder else []
    places = Places(vault=args.vault or (Path(memory.vault) if memory.vault else None),
                    drop_folders=tuple(args.drop_folder or remembered),
                    outbox=Path(memory.outbox) if memory.outbox else None)
    findings = examine(places)
    for finding in findings:
        console.say(f"{finding.level:<8}{finding.words}")
    problems = sum(f.level is Level.PROBLEM for f in findings)
    warnings = sum(f.level is Level.WARNING for f in findings)
    summary = f"{_count(problems, 'problem')}, {_count(warnings, 'warning')}."
    console.say(summary[0].upper() + summary[1:])
    return EXIT_PROBLEMS if problems else EXIT_OK


def _count(number: int, word: str) -> str:
    return f"{number or 'no'} {word}{'' if number == 1 else 's'}"
