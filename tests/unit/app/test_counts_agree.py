"""A number said to a person agrees with its noun: '1 second', never '1 seconds'."""

from __future__ import annotations

from clinfile.app.counting import counted
from clinfile.app.custody.seal import SealReport
from clinfile.app.vault.errors import TooManyAttempts


def test_a_noun_agrees_with_its_number():
    assert [counted(n, "entry", "entries") for n in (0, 1, 2, 1200)] == [
        "0 entries", "1 entry", "2 entries", "1,200 entries"]
    assert counted(1, "picture") == "1 picture" and counted(3, "picture") == "3 pictures"


def test_a_wait_of_one_second_is_said_so():
    assert "Wait 1 second, then" in str(TooManyAttempts(0.4))
    assert "Wait 2 minutes, then" in str(TooManyAttempts(90))
    assert "Wait 3 seconds, then" in str(TooManyAttempts(2.5))


def test_a_trail_of_one_row_says_its_only_row():
    assert "its only row is not yet sealed" in SealReport(last_row=1).summary()
    assert "all 4 rows are not yet sealed" in SealReport(last_row=4).summary()
    gone = SealReport(last_row=1, sealed_before=True).summary()
    assert "its seals are gone, so its only row is not sealed now." in gone
