"""Searching, judging and exporting the audit trail, for admins only, every look audited."""

from __future__ import annotations

import csv
import subprocess
from datetime import date, timedelta

import pytest

from clinfile.app.audit.service import AuditFilter, AuditSearchError, AuditService
from clinfile.app.security.roles import PolicyRefused
from clinfile.db.audit import AuditRepository
from tests.ui.helpers import add_patients


def _last_action(session) -> str:
    with session.vault.index() as conn:
        return AuditRepository(conn).last().action


def test_filters_by_user_action_and_day(login):
    admin = login()
    service = AuditService(admin)
    everything = service.search(AuditFilter())
    assert everything.total >= 3
    added = service.search(AuditFilter(user="admin", action="user.added"))
    assert {line.subject for line in added.lines} >= {"clinician", "reception"}
    assert all(line.code == "user.added" and line.what.startswith("Added the user")
               for line in added.lines)
    tomorrow = date.today() + timedelta(days=1)
    assert service.search(AuditFilter(first_day=tomorrow)).total == 0
    assert service.search(AuditFilter(last_day=date.today())).total > 0


def test_each_look_is_itself_audited(login):
    admin = login()
    AuditService(admin).search(AuditFilter(user="reception"))
    assert _last_action(admin) == "audit.viewed"


def test_patient_filter_finds_rows_about_the_patient(login, vault_path):
    [patient] = add_patients(vault_path, [("R-77", "Nguyen", "Mai", "1950-01-02", "Carlton")])
    admin = login()
    admin.audit("images.exported", f"patient {patient}", {"images": [1]})
    admin.audit("images.exported", f"patient {patient + 1}", {"images": [2]})
    found = AuditService(admin).search(AuditFilter(patient="R-77"))
    assert [line.subject for line in found.lines] == ["NGUYEN, Mai (record R-77)"]
    with pytest.raises(AuditSearchError, match="no patient"):
        AuditService(admin).search(AuditFilter(patient="nobody"))


def test_days_the_wrong_way_round_are_refused(login):
    with pytest.raises(AuditSearchError, match="swap"):
        AuditService(login()).search(AuditFilter(first_day=date(2026, 2, 1),
                                                 last_day=date(2026, 1, 1)))


@pytest.mark.parametrize("user", ["clinician", "reception"])
def test_other_roles_may_not_read_or_export_the_trail(login, user, tmp_path):
    service = AuditService(login(user))
    for attempt in (lambda: service.search(AuditFilter()), service.verdict, service.choices,
                    lambda: service.export(AuditFilter(), tmp_path / "a.csv", "csv")):
        with pytest.raises(PolicyRefused):
            attempt()
    assert not (tmp_path / "a.csv").exists()


def test_verdict_in_plain_words_whole_then_broken(login, vault_path):
    admin = login()
    verdict = AuditService(admin).verdict()
    assert verdict.whole and "can be trusted" in verdict.words
    assert "sealed" in verdict.words, "the seals are reported as verify reports them"
    with admin.vault.index() as conn:
        conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 2")
    broken = AuditService(admin).verdict()
    assert not broken.whole
    assert "cannot be trusted" in broken.words
    assert any("row 2 was changed" in p for p in broken.problems)


def test_csv_export_is_safe_in_a_spreadsheet_and_audited(login, tmp_path):
    admin = login()
    admin.audit("image.viewed", "=HYPERLINK(\"http://x\")")
    out = AuditService(admin).export(AuditFilter(action="image.viewed"), tmp_path / "a.csv",
                                     "csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["Entry", "When", "Who", "What", "About", "Details", "Action code"]
    assert rows[1][4].startswith("'=")
    assert _last_action(admin) == "audit.exported"


def test_pdf_export_shows_the_verdict_and_the_rows(login, tmp_path):
    admin = login()
    out = AuditService(admin).export(AuditFilter(user="admin"), tmp_path / "a.pdf", "pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Audit trail extract" in text
    assert "can be trusted" in text
    assert "Added the user" in text
