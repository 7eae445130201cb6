"""What every verb shares: exit codes, reading passwords, opening a session, printing."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from clinfile.app.consent.vocabulary import Recipient, Word, parse_word, words
from clinfile.app.errors import MeantForPeople
from clinfile.app.escaping import escaped
from clinfile.app.security.session import Session

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
# The shell's own code for a command stopped by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130
# The shell's own code for a command whose reader closed the pipe (128 + SIGPIPE).
EXIT_READER_GONE = 141


class ReaderGone(Exception):
    """Whoever read the output stopped reading (``clinfile verify | head -1``): not a fault."""


class UsageError(MeantForPeople):
    """The command line or its input is wrong; exit code 2."""


@dataclass
class Console:
    """Where a verb reads secrets from and writes to; tests give their own streams."""

    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _stdin_lines: list[str] | None = None

    def secret(self, args: argparse.Namespace, prompt: str) -> str:
        """Read the next secret: the next stdin line with --password-stdin, else a prompt."""
        if getattr(args, "password_stdin", False):
            line = self.stdin.readline()
            if not line:
                raise UsageError(f"expected {prompt.lower().rstrip(': ')} on standard input")
            return line.rstrip("\r\n")
        if not self.stdin.isatty():
            raise UsageError("no terminal to ask for a password; use --password-stdin")
        return getpass.getpass(prompt)

    def new_secret(self, args: argparse.Namespace, prompt: str) -> str:
        """Read a new password; at a terminal, ask twice so a typo does not lock anyone out."""
        first = self.secret(args, prompt)
        if not getattr(args, "password_stdin", False):
            if getpass.getpass("Type it again: ") != first:
                raise UsageError("the two passwords were not the same")
        return first

    def say(self, text: str = "") -> None:
        """Print one line for the person.

        The line is escaped whole: it carries file names, patient details and
        audit subjects that came from outside, and none of them may break it
        into a second, forged line (a newline, a carriage return, a direction
        override). A verb that prints several lines says each of them.
        """
        with self._to_reader():
            print(escaped(text), file=self.stdout)

    def warn(self, text: str) -> None:
        """Print one warning or error line, escaped as :meth:`say` does."""
        print(escaped(text), file=self.stderr)

    def emit_json(self, data: Any) -> None:
        """Print data as JSON."""
        with self._to_reader():
            json.dump(data, self.stdout, indent=2, default=str)
            self.stdout.write("\n")

    @contextmanager
    def _to_reader(self) -> Iterator[None]:
        """Write output, telling a reader that closed the pipe apart from a fault.

        A closed pipe on standard output is the reader having read enough,
        as Unix tools take it; one met elsewhere (a network peer) is a fault.
        """
        try:
            yield
        except BrokenPipeError as exc:
            raise ReaderGone from exc


def vocabulary_word(enum_type: type[Word], text: str, what: str) -> Word:
    """Read one of the vocabulary's words, however cased or spaced, or say which words there are.

    Raises:
        UsageError: the text is none of the words.
    """
    try:
        return parse_word(enum_type, text)
    except ValueError:
        raise UsageError(f"'{text}' is not a {what}; use one of: {words(enum_type)}") from None


def recipient_word(text: str) -> Recipient:
    """Read a recipient: a class word however written, or a person's name.

    Raises:
        UsageError: the text is empty (or only invisible characters).
    """
    try:
        return Recipient.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def add_login_arguments(parser: argparse.ArgumentParser) -> None:
    """Give a verb that opens a vault its --user and --password-stdin."""
    parser.add_argument("vault", help="the vault folder")
    parser.add_argument("--user", required=True, help="your Clinfile user name")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """Give a verb whose output is data its --json."""
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def open_session(args: argparse.Namespace, console: Console) -> Session:
    """Log in as --user with the password read the way the command line asked."""
    password = console.secret(args, f"Password for {args.user}: ")
    return Session.login(args.vault, args.user, password)


def with_session(args: argparse.Namespace, console: Console,
                 act: Callable[[Session], int]) -> int:
    """Log in, run ``act`` with the session, and lock the vault again whatever happens."""
    session = open_session(args, console)
    try:
        return act(session)
    finally:
        session.lock(reason="command finished")
