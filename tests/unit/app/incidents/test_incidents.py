"""A picture sent to the wrong person: recorded, linked to its export, summarised, audited."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta

import pytest

from clinfile.app.incidents.service import IncidentError, IncidentReport, IncidentService
from clinfile.app.reports.pdf import MARGIN
from clinfile.app.security.roles import PolicyRefused
from clinfile.app.settings import SettingsService
from clinfile.db.audit import AuditRepository
from tests.unit.app.incidents.sending import export_a_picture


@pytest.fixture
def sent(vault_path, corpus, tmp_path):
    return export_a_picture(vault_path, corpus, tmp_path)


def _pdf_info(path) -> dict[str, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
            for line in info.splitlines() if ":" in line}


def _report(seq: int, **changes) -> IncidentReport:
    told = {"export_seq": seq, "what_was_sent": "The leg ulcer summary PDF",
            "sent_to": "Dr B Smith, Carlton Skin (meant for Dr B Smyth)",
            "found_on": date.today(),
            "actions_taken": "Phoned Dr Smith, who deleted it and confirmed by email."}
    return IncidentReport(**{**told, **changes})


def test_the_export_is_found_and_the_report_points_at_it(login, sent, tmp_path):
    patient, seq = sent
    service = IncidentService(login("clinician"))
    [export] = [e for e in service.exports() if e.seq == seq]
    assert export.patient.startswith("NGUYEN, Mai (born 05/06/1990, record MN1990)")
    assert export.pictures == 1 and export.by == "clinician"  # no full name was given
    incident = service.report(_report(seq))
    assert incident.row.export_seq == seq and incident.row.patient_id == patient
    assert incident.row.reported_by == "clinician"
    with login("admin").vault.index() as conn:
        [last] = [r for r in AuditRepository(conn).rows() if r.action == "incident.reported"]
    assert last.subject == f"patient {patient}"
    assert f'"export_entry":{seq}' in last.detail


def test_the_summary_is_one_page_with_the_guidance(login, sent, tmp_path):
    _, seq = sent
    service = IncidentService(login("admin"))
    incident = service.report(_report(seq, actions_taken="x " * 500))
    out = service.write_summary(incident.row.id, tmp_path / "incident.pdf")
    fields = _pdf_info(out)
    assert fields["Pages"] == "1"
    assert fields["Title"] == "Privacy incident report"
    text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert "patient privacy has been breached" in text
    assert "Dr B Smith, Carlton Skin" in text
    assert f"Entry {seq}: images exported by clinician" in text
    with login("admin").vault.index() as conn:
        assert "incident.summary_printed" in [r.action for r in AuditRepository(conn).rows()]


@pytest.mark.parametrize(("change", "words"), [
    ({"sent_to": "  "}, "Say who received it"),
    ({"actions_taken": ""}, "Say what has been done"),
    ({"what_was_sent": "x" * 401}, "at most 400"),
    ({"found_on": date.today() + timedelta(days=1)}, "cannot be in the future"),
])
def test_a_report_missing_a_part_says_which(login, sent, change, words):
    _, seq = sent
    with pytest.raises(IncidentError, match=words):
        IncidentService(login("clinician")).report(_report(seq, **change))


def test_only_an_export_can_be_reported(login, sent):
    with pytest.raises(IncidentError, match="not an export"):
        IncidentService(login("admin")).report(_report(1))


@pytest.mark.parametrize("user", ["reception", "clinician"])
def test_anyone_may_report_and_print_their_own_but_not_read_the_others(login, sent, tmp_path,
                                                                      user):
    _, seq = sent
    others = IncidentService(login("admin")).report(_report(seq, sent_to="Dr C Other"))
    service = IncidentService(login(user))
    [export] = [e for e in service.exports() if e.seq == seq]
    own = service.report(_report(export.seq))
    assert own.row.reported_by == user
    out = service.write_summary(own.row.id, tmp_path / "own.pdf")
    assert "Dr B Smith" in subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                                          text=True, check=True).stdout
    for attempt in (service.all,
                    lambda: service.write_summary(others.row.id, tmp_path / "x.pdf"),
                    lambda: service.write_summary(own.row.id + 1, tmp_path / "y.pdf")):
        with pytest.raises(PolicyRefused, match="may not read every report"):
            attempt()
    assert not (tmp_path / "x.pdf").exists()
    with login("admin").vault.index() as conn:
        refused = [r for r in AuditRepository(conn).rows() if r.action == "policy.refused"]
    assert {r.subject for r in refused} >= {f"incident {others.row.id}"}
    assert len(IncidentService(login("admin")).all()) == 2


def test_the_longest_report_still_fits_one_page(login, sent, tmp_path):
    _, seq = sent
    service = IncidentService(login("admin"))
    incident = service.report(_report(seq, what_was_sent="Wide words " * 36,
                                      sent_to="Mmmmm mmmm " * 18,
                                      actions_taken="Wide words " * 90))
    for paper in ("a4", "letter"):
        SettingsService(login("admin")).change(report_page_size=paper)
        out = service.write_summary(incident.row.id, tmp_path / f"long-{paper}.pdf")
        assert _pdf_info(out)["Pages"] == "1"


def test_the_summary_for_a_patient_named_ten_thousand_letters_long_stays_on_its_page(
        login, vault_path, corpus, tmp_path):
    _, seq = export_a_picture(vault_path, corpus, tmp_path, family_name="漢" * 10_000)
    service = IncidentService(login("admin"))
    incident = service.report(_report(seq, sent_to="א" * 200))
    out = service.write_summary(incident.row.id, tmp_path / "incident.pdf")
    assert _pdf_info(out)["Pages"] == "1"
    boxes = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True,
                           text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    assert max(float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes)) <= width - MARGIN + 0.5
    assert "…" in boxes
