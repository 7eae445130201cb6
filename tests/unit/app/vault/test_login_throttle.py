"""Repeated wrong passwords slow down, per user name, persisted and audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from clinfile.app.vault import login_failures
from clinfile.app.vault.errors import AuthenticationFailed, TooManyAttempts
from clinfile.app.vault.login_failures import LONGEST_WAIT, Note, wait_before
from clinfile.app.vault.vault import Vault
from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
from tests.unit.app.cli.calling import call

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def _wrong(vault_path, name: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationFailed):
            Vault.unlock(vault_path, name, "a guess at the password")


def _failures(slot: str, count: int, last: datetime) -> list[Note]:
    return [Note((last - timedelta(seconds=count - n)).isoformat(), slot, "wrong password")
            for n in range(1, count + 1)]


def test_the_first_few_mistakes_cost_nothing():
    assert wait_before(_failures("s", 2, NOW), "s", NOW) == timedelta(0)


def test_each_further_wrong_password_doubles_the_wait_up_to_a_ceiling():
    waits = [wait_before(_failures("s", n, NOW), "s", NOW) for n in range(3, 12)]
    assert waits[:4] == [timedelta(seconds=s) for s in (5, 10, 20, 40)]
    assert waits[-1] == LONGEST_WAIT
    assert all(a <= b for a, b in zip(waits, waits[1:], strict=False))


def test_the_wait_runs_out_and_an_unlock_starts_the_count_again():
    notes = _failures("s", 4, NOW)
    assert wait_before(notes, "s", NOW + timedelta(seconds=11)) == timedelta(0)
    unlocked = Note(NOW.isoformat(), "s", login_failures.UNLOCKED)
    assert wait_before([*notes, unlocked], "s", NOW) == timedelta(0)


def test_after_three_wrong_passwords_even_the_right_one_must_wait(vault_path):
    _wrong(vault_path, "reception", 3)

    with pytest.raises(TooManyAttempts, match="Too many wrong passwords for this name"):
        Vault.unlock(vault_path, "reception", PASSWORDS["reception"])

    Vault.unlock(vault_path, "clinician", PASSWORDS["clinician"])


def test_guessing_at_names_that_do_not_exist_slows_down_too(vault_path):
    _wrong(vault_path, "mallory", 3)
    with pytest.raises(TooManyAttempts):
        Vault.unlock(vault_path, "Mallory", "another guess")


def test_the_command_line_says_to_wait(vault_path):
    _wrong(vault_path, ADMIN, 3)
    code, _, err = call(["audit", str(vault_path), "--user", ADMIN, "--password-stdin"],
                        ADMIN_PASSWORD)
    assert code != 0
    assert re.search(r"Wait \d seconds, then try again\.", err)


def test_refused_tries_are_audited(vault_path):
    _wrong(vault_path, "reception", 3)
    with pytest.raises(TooManyAttempts):
        Vault.unlock(vault_path, "reception", PASSWORDS["reception"])

    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    with vault.index() as conn:
        reasons = [r[0] for r in conn.execute(
            "SELECT json_extract(detail, '$.reason') FROM audit "
            "WHERE action = 'login.failed' AND actor = 'reception' ORDER BY seq")]
    assert reasons == ["wrong password"] * 3 + ["too many wrong passwords"]


def test_a_long_history_of_notes_still_throttles_from_its_end(vault_path):
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    path = vault.layout.login_failures
    for _ in range(1500):
        login_failures.note(path, vault.vault_id, "user-elsewhere", login_failures.UNLOCKED)
    assert path.stat().st_size > login_failures.RECENT_BYTES

    _wrong(vault_path, "reception", 3)

    with pytest.raises(TooManyAttempts):
        Vault.unlock(vault_path, "reception", PASSWORDS["reception"])
