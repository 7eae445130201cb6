"""Names in every script print as letters, in reading order, in every PDF Clinfile makes.

Each PDF is made by the services a person uses, read back with poppler's
pdftotext (which gives right-to-left text back in reading order) and checked
for the embedded type with pdffonts: DejaVu Sans, and Droid Sans Fallback for
the Chinese, Japanese and Korean letters DejaVu does not have.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from clinfile.app.audit.service import AuditFilter, AuditService
from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
from clinfile.app.incidents.service import IncidentReport, IncidentService
from clinfile.app.reports.service import ReportService, Selection
from clinfile.app.security.users import UserService
from tests.conftest import ADMIN
from tests.ui.record_pictures import file_pictures
from tests.unit.app.incidents.sending import export_a_picture
from tests.unit.app.reports.pdf_checks import run

# (record, family, given, born, suburb): one patient for each script a practice meets.
PATIENTS = [("800001", "כהן", "דוד", "1970-01-02", "Caulfield"),
            ("800002", "الحسيني", "محمد", "1981-03-04", "Coburg"),
            ("800003", "Παπαδόπουλος", "Ελένη", "1965-05-06", "Oakleigh"),
            ("800004", "Иванов", "Пётр", "1990-07-08", "Carnegie"),
            ("800005", "Nguyễn", "Thị Hồng", "1995-09-10", "Footscray")]
# Chinese, Japanese and Korean names, which DejaVu Sans has no letters for.
CJK_PATIENTS = [("800006", "王", "小明", "1972-02-03", "Box Hill"),
                ("800007", "山田", "さくら", "1984-04-05", "Doncaster"),
                ("800008", "김", "민준", "1999-06-07", "Glen Waverley")]
# A clinician whose full name mixes Latin letters with Chinese and Korean ones.
MIXED_NAME = "Dr Lin 林美玲 and Kim 김서연"
# Notes long enough to wrap over several lines of a printed paragraph.
HEBREW_NOTE = ("המטופל ביקש לשלוח את התמונה לרופא המשפחה שלו בחיפה ולא לאף אחד אחר "
               "כי הוא עובר לגור שם בחודש הבא ורוצה שהרופא החדש יראה את הפריחה")
ARABIC_NOTE = ("طلب المريض إرسال الصورة إلى طبيب العائلة في حيفا وليس إلى أي شخص آخر "
               "لأنه سينتقل للعيش هناك في الشهر القادم ويريد أن يرى الطبيب الجديد الطفح")
RECIPIENT = ("ד״ר כהן, محمد عبد الرحمن, Δρ Ελένη, д-р Пётр, BS Nguyễn Thị Hồng, "
             "王医生, 山田さくら先生, 김민준 선생님")

# pdftotext marks a right-to-left run with embedding characters.
_DIRECTION_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))


def _read(pdf) -> str:
    """The page text in reading order, Arabic's joined forms read as their letters."""
    text = unicodedata.normalize("NFKC", run("pdftotext", pdf, "-").translate(_DIRECTION_MARKS))
    return " ".join(text.split()).casefold()


def _lines(pdf) -> list[str]:
    """The page's lines as pdftotext reads them, in reading order, without direction marks."""
    text = unicodedata.normalize("NFKC", run("pdftotext", pdf, "-").translate(_DIRECTION_MARKS))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _assert_drawn_in_the_shipped_type(pdf) -> set[str]:
    """Check every font is one shipped with the app, embedded as a subset; return their names."""
    fonts = run("pdffonts", pdf).splitlines()[2:]
    assert fonts, "no font in the PDF"
    names = set()
    for font in fonts:
        name, *_, embedded, subset, unicode, _object, _generation = font.split()
        names.add(name.split("+")[-1])
        assert name.split("+")[-1].startswith(("DejaVuSans", "DroidSansFallback")), font
        assert (embedded, subset, unicode) == ("yes", "yes", "yes"), font
    return names


def _assert_wrapped_in_reading_order(pdf, note: str) -> None:
    """The note reads whole in the page's text, and its words fall on more than one line."""
    assert " ".join(note.split()).casefold() in _read(pdf), (pdf.name, _lines(pdf))
    first, last = note.split()[0], note.split()[-1]
    assert not [line for line in _lines(pdf) if first in line and last in line], \
        "the note did not wrap"


def test_the_incident_summary_and_the_audit_print_the_recipient_in_every_script(
        tools, login, vault_path, corpus, tmp_path):
    _patient, seq = export_a_picture(vault_path, corpus, tmp_path)
    service = IncidentService(login("clinician"))
    incident = service.report(IncidentReport(
        export_seq=seq, what_was_sent="The leg ulcer picture", sent_to=RECIPIENT,
        found_on=date.today(), actions_taken="Phoned ד״ר כהן, who deleted it."))
    summary = service.write_summary(incident.row.id, tmp_path / "incident.pdf")
    audit = AuditService(login(ADMIN)).export(AuditFilter(), tmp_path / "audit.pdf", "pdf")

    for pdf in (summary, audit):
        text = _read(pdf)
        for name in RECIPIENT.split(", "):
            assert name.casefold() in text, (name, text)
        _assert_drawn_in_the_shipped_type(pdf)


@pytest.mark.parametrize(("patients", "clinician", "embedded"), [
    (PATIENTS, "Dr Ελένη Иванова Nguyễn", None),
    (CJK_PATIENTS, MIXED_NAME, "DroidSansFallback"),
], ids=["alphabets", "chinese-japanese-korean"])
def test_the_summary_export_and_consent_form_print_patients_named_in_every_script(
        tools, login, vault_path, corpus, tmp_path, patients, clinician, embedded):
    plan = [(which, "left-forearm", "rash") for which in range(len(patients))]
    filed, ids = file_pictures(vault_path, corpus, tmp_path, plan, patients=patients)
    UserService(login(ADMIN)).set_full_name("clinician", clinician)
    reports = ReportService(login("clinician"))

    for (_, family, given, *_), patient, image in zip(patients, filed, ids, strict=True):
        [export] = reports.export(Selection(image_ids=(image,)), Purpose.CLINICAL_CARE,
                                  Recipient(group=RecipientClass.TREATING_TEAM),
                                  file_format="pdf", out=tmp_path / f"export-{patient}").paths
        [summary] = reports.summary(Selection(patient=patient),
                                    out=tmp_path / f"summary-{patient}").paths
        [form] = reports.consent_form(patient, out=tmp_path / f"form-{patient}").paths
        for pdf in (export, summary, form):
            text = _read(pdf)
            for name in (family, given, clinician):
                assert name.casefold() in text, (pdf.name, name, text)
            fonts = _assert_drawn_in_the_shipped_type(pdf)
            assert embedded is None or embedded in fonts, pdf.name


def test_a_hebrew_or_arabic_note_wrapped_over_lines_reads_in_order_line_after_line(
        tools, login, vault_path, corpus, tmp_path):
    plan = [(0, "left-forearm", HEBREW_NOTE), (1, "left-forearm", ARABIC_NOTE)]
    patients, _ids = file_pictures(vault_path, corpus, tmp_path, plan, patients=PATIENTS[:2])
    reports = ReportService(login("clinician"))

    for patient, note in zip(patients, (HEBREW_NOTE, ARABIC_NOTE), strict=True):
        [summary] = reports.summary(Selection(patient=patient),
                                    out=tmp_path / f"summary-{patient}").paths
        _assert_wrapped_in_reading_order(summary, note)


def test_the_incident_summary_wraps_a_hebrew_account_in_reading_order(
        tools, login, vault_path, corpus, tmp_path):
    _patient, seq = export_a_picture(vault_path, corpus, tmp_path)
    service = IncidentService(login("clinician"))
    incident = service.report(IncidentReport(
        export_seq=seq, what_was_sent="The leg ulcer picture", sent_to="ד״ר כהן",
        found_on=date.today(), actions_taken=HEBREW_NOTE))
    summary = service.write_summary(incident.row.id, tmp_path / "incident.pdf")

    _assert_wrapped_in_reading_order(summary, HEBREW_NOTE)
