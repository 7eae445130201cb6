"""When the window asks an admin for the daily seal."""

from datetime import UTC, datetime, timedelta

from clinfile.app.custody.seal import SealReport, seal_due
from clinfile.db.audit import SealRow

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _sealed(hours_ago: float, seq: int = 10) -> SealRow:
    return SealRow(seq, "h", "admin", (NOW - timedelta(hours=hours_ago)).isoformat(), "s")


def test_a_day_old_seal_with_rows_after_it_is_due():
    assert seal_due(SealReport(last_row=12, sealed=_sealed(25)), NOW)


def test_a_fresh_seal_or_nothing_new_is_not_due():
    assert not seal_due(SealReport(last_row=12, sealed=_sealed(2)), NOW)
    assert not seal_due(SealReport(last_row=10, sealed=_sealed(72)), NOW)


def test_a_trail_never_sealed_is_due_a_day_after_the_vault_was_made():
    made = (NOW - timedelta(hours=25)).isoformat()
    assert seal_due(SealReport(last_row=3, unsealed_since=made), NOW)


def test_a_vault_made_seconds_ago_is_not_yet_due():
    made = (NOW - timedelta(seconds=20)).isoformat()
    assert not seal_due(SealReport(last_row=3, unsealed_since=made), NOW)


def test_a_first_entry_with_a_time_that_cannot_be_read_asks_to_seal():
    assert seal_due(SealReport(last_row=3, unsealed_since="1 Dec\n2026"), NOW)
