"""One clock: every moment the application writes is UTC to the millisecond, and tests set it."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from clinfile.app import clock
from clinfile.app.patients.details import PatientDetails
from clinfile.app.patients.service import PatientService
from clinfile.db.audit import AuditRepository

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "clinfile"
CLOCK = PACKAGE / "app" / "clock.py"


def test_a_stamp_is_utc_to_the_millisecond():
    sydney = timezone(timedelta(hours=10))
    moment = datetime(2026, 3, 4, 15, 6, 7, 891234, tzinfo=sydney)
    assert clock.stamp(moment) == "2026-03-04T05:06:07.891+00:00"


def test_the_held_clock_stamps_what_the_application_writes(app_clock, login):
    app_clock.hold(datetime(2021, 6, 7, 8, 9, 10, tzinfo=UTC))
    admin = login()
    saved = PatientService(admin).add(PatientDetails(family_name="Nguyen", given_names="Mai",
                                                     birth_date="1950-01-02"))
    assert saved.patient.created_at == "2021-06-07T08:09:10.000+00:00"
    with admin.vault.index() as conn:
        assert AuditRepository(conn).last().at == "2021-06-07T08:09:10.000+00:00"
    assert clock.today().year == 2021


def _reads_the_computers_clock(path: Path) -> list[int]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow") \
                and isinstance(node.value, ast.Name) and node.value.id in ("datetime", "date"):
            found.append(node.lineno)
    return found


def test_nothing_but_the_clock_reads_the_computers_clock():
    readers = {str(path.relative_to(PACKAGE)): lines
               for layer in ("app", "ui") for path in (PACKAGE / layer).rglob("*.py")
               if path != CLOCK
               and (lines := _reads_the_computers_clock(path))}
    assert readers == {}, "take the time from clinfile.app.clock"


def test_a_day_stored_alone_reads_as_that_day_with_no_time(practice_time_zone):
    practice_time_zone("America/New_York")
    assert clock.local_time("2026-12-02") == "02/12/2026"
    assert clock.local_time("2026-12-02T04:00:00.000+00:00") == "01/12/2026 23:00:00"
