"""An error written for people is declared once; the window and the command line both show it."""

import argparse
import logging

import pytest

from clinfile.app.cli import main
from clinfile.app.cli.common import EXIT_USAGE, UsageError
from clinfile.app.custody.locations import CloudFolderRefused
from clinfile.app.errors import MEANT_FOR_PEOPLE, MeantForPeople
from clinfile.app.security.roles import PolicyRefused
from clinfile.app.settings import SettingError
from clinfile.app.vault.errors import MigrationFailed, NewerVaultError, VaultError
from clinfile.app.vault.keyslots import KeySlotsDamaged
from clinfile.app.vault.recovery import RecoveryKeyMistyped
from clinfile.ui.errors import in_plain_words, is_fault
from tests.unit.app.cli.calling import call


class ShelfFull(MeantForPeople):
    """An error no other part of Clinfile knows of: declared here and nowhere else."""


class _RaisingVerb:
    """A verb whose only act is to raise the error it was given."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def register(self, verbs: argparse._SubParsersAction) -> None:
        verbs.add_parser("shelve").set_defaults(handler=self._handle)

    def _handle(self, args: argparse.Namespace, console) -> int:
        raise self.error


def test_a_new_error_for_people_is_shown_as_it_is_in_the_window():
    error = ShelfFull("The shelf is full: take the printed forms out first.")
    assert in_plain_words(error) == "The shelf is full: take the printed forms out first."
    assert not is_fault(error)


def test_a_new_error_for_people_is_shown_as_it_is_at_the_command_line(monkeypatch, caplog):
    error = ShelfFull("The shelf is full: take the printed forms out first.")
    monkeypatch.setattr(main, "VERB_MODULES", [_RaisingVerb(error)])
    with caplog.at_level(logging.ERROR, logger="clinfile"):
        code, _, err = call(["shelve"])
    assert (code, err) == (EXIT_USAGE, "The shelf is full: take the printed forms out first.\n")
    assert caplog.records == []


def test_a_permission_refused_by_the_system_is_told_alike_in_both(monkeypatch):
    error = PermissionError(13, "Permission denied", "/srv/outbox/summary.pdf")
    monkeypatch.setattr(main, "VERB_MODULES", [_RaisingVerb(error)])
    code, _, err = call(["shelve"])
    told = "Clinfile was not allowed to use /srv/outbox/summary.pdf."
    assert (code, err, in_plain_words(error)) == (EXIT_USAGE, f"{told}\n", told)


@pytest.mark.parametrize("kind", [VaultError, PolicyRefused, SettingError, CloudFolderRefused,
                                  KeySlotsDamaged, RecoveryKeyMistyped, NewerVaultError,
                                  MigrationFailed, UsageError, FileExistsError,
                                  NotADirectoryError])
def test_the_errors_shown_before_are_still_meant_for_people(kind):
    assert issubclass(kind, MEANT_FOR_PEOPLE)


def test_a_fault_in_clinfile_is_not_shown_as_it_is(monkeypatch, caplog):
    error = KeyError("patient_id")
    monkeypatch.setattr(main, "VERB_MODULES", [_RaisingVerb(error)])
    with caplog.at_level(logging.ERROR, logger="clinfile"):
        code, _, err = call(["shelve"])
    assert "patient_id" not in err and "unexpected problem" in err
    assert [r.message for r in caplog.records] == ["unexpected failure in shelve"]
    assert is_fault(error) and "patient_id" not in in_plain_words(error)
