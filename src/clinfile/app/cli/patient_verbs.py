"""Verbs that feed the patient index and search it."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from clinfile.app.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    Console,
    add_json_argument,
    add_login_arguments,
    open_session,
)
from clinfile.app.patients.csv_import import PRESETS
from clinfile.app.patients.dates import show
from clinfile.app.patients.matching import MatchResult
from clinfile.app.patients.service import FORMATS, ImportReport, PatientService


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``patients import|search``."""
    patients = verbs.add_parser("patients", help="import and search the patient index")
    actions = patients.add_subparsers(dest="patients_action", metavar="ACTION", required=True)

    load = actions.add_parser(
        "import", help="import patients from a CSV export, FHIR JSON, or HL7 ADT file or folder")
    add_login_arguments(load)
    load.add_argument("file", type=Path, help="the file (or a folder of HL7 messages)")
    load.add_argument("--format", choices=FORMATS,
                      help="the file's format (default: told from its name and content)")
    load.add_argument("--mapping", help="CSV column mapping: a preset "
                      f"({', '.join(PRESETS)}), a mapping saved earlier, or a JSON file, "
                      "which is then saved under its name for next time")
    add_json_argument(load)
    load.set_defaults(handler=_import)

    find = actions.add_parser("search", help="rank patients against names, a date of birth "
                              "or an identifier, with the reasons for each")
    add_login_arguments(find)
    find.add_argument("query", help="what reception would type, e.g. \"smith jo 12/3/80\"")
    find.add_argument("--limit", type=int, default=10, help="how many candidates (default 10)")
    find.add_argument("--image", type=Path,
                      help="also use this picture's filename and any label barcode in it")
    add_json_argument(find)
    find.set_defaults(handler=_search)


def _import(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    try:
        service = PatientService(session)
        mapping = service.column_mapping(args.mapping) if args.mapping else None
        if mapping is not None and args.mapping.casefold().endswith(".json"):
            service.save_mapping(mapping)
        report = None
        for progress in service.import_file(args.file, format=args.format, mapping=mapping):
            report = progress.report or report
    finally:
        session.lock(reason="command finished")
    if args.json:
        console.emit_json(report.as_dict())
    else:
        _say_report(console, report)
    return EXIT_PROBLEMS if report.problems else EXIT_OK


def _say_report(console: Console, report: ImportReport) -> None:
    console.say(f"Imported {report.source} ({report.format}): {report.added} added, "
                f"{report.updated} updated, {report.unchanged} unchanged.")
    if report.problems:
        console.warn(f"{len(report.problems)} could not be imported:")
        for problem in report.problems:
            console.warn(f"  {problem.where}: {problem.why}")
    if report.warnings:
        console.warn(f"{len(report.warnings)} imported with a warning; check these:")
        for warning in report.warnings:
            console.warn(f"  {warning.where}: {warning.why}")


def _search(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    try:
        service = PatientService(session)
        if args.image:
            result = service.search_with_hints(args.query, filename=args.image.name,
                                               image=args.image, limit=args.limit)
        else:
            result = service.search(args.query, limit=args.limit)
    finally:
        session.lock(reason="command finished")
    if args.json:
        console.emit_json(result.as_dict())
    else:
        _say_result(console, result)
    return EXIT_OK


def _say_result(console: Console, result: MatchResult) -> None:
    if not result.candidates:
        console.say("No patient matches.")
        return
    if result.needs_explicit_choice:
        console.say(f"Careful: {result.caution}")
    for rank, candidate in enumerate(result.candidates, start=1):
        patient = candidate.patient
        born = show(date.fromisoformat(patient.birth_date)) if patient.birth_date else "no DOB"
        record = f"record {patient.record_number}" if patient.record_number else "no record no."
        console.say(f"{rank:>2}. {candidate.display_name:<32} {born:<10}  {record:<18} "
                    f"score {candidate.score:5.1f}")
        console.say(f"    {'; '.join(candidate.reasons)}")
        if candidate.distinguishing:
            console.say(f"    same name as another patient: {candidate.distinguishing}")
        for warning in patient.warnings:
            console.say(f"    warning: {warning}")
