"""Verbs that check this computer and this install: ``selftest``."""

from __future__ import annotations

import argparse

from clinfile.app.cli.common import EXIT_OK, EXIT_PROBLEMS, Console
from clinfile.app.selftest import run_selftest


def register(verbs: argparse._SubParsersAction) -> None:
    """Add selftest."""
    selftest = verbs.add_parser(
        "selftest", help="take an invented sample picture through a throwaway vault: import, "
                         "file, summary PDF, verify (nothing is kept)")
    selftest.set_defaults(handler=_selftest)


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
