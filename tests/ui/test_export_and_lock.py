"""A refused export explained, and a filing interrupted by the idle lock and carried on."""

from __future__ import annotations

import subprocess
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.conftest import PASSWORDS
from tests.ui.helpers import (
    add_patients,
    arrive,
    choose_patient,
    copy_into,
    describe,
    select_first,
)
from tests.ui.test_filing import PATIENTS


def _filed_on_spoken_consent(vault_path, corpus, tmp_path, patient_id: int) -> None:
    """A photo already in the patient's record, filed on spoken consent for care."""
    from clinfile.app.consent.model import Disclosure
    from clinfile.app.consent.service import ConsentRequest, ConsentService
    from clinfile.app.consent.vocabulary import (
        ImageKind,
        Method,
        Purpose,
        Recipient,
        RecipientClass,
    )
    from clinfile.app.filing.body_sites import BodySite
    from clinfile.app.filing.model import FilingRequest
    from clinfile.app.filing.service import FilingService
    from clinfile.app.ingest import events as ev
    from clinfile.app.ingest.service import ImportService
    from clinfile.app.security.session import Session

    session = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    files = copy_into([corpus / "exif-samples" / "jpg" / "Canon_40D.jpg"], tmp_path / "phone")
    events = ImportService(session).import_paths(files)
    ids = []
    for event in events:
        if isinstance(event, ev.Imported):
            ids.append(event.item_id)
            break
    events.close()
    care = ConsentService(session).record(ConsentRequest(
        patient_id=patient_id, method=Method.VERBAL, purposes=frozenset({Purpose.CLINICAL_CARE}),
        recipients=(Recipient(group=RecipientClass.TREATING_TEAM),), obtained_by="clinician",
        obtained_on=date.today(), disclosure=Disclosure(True, True, True)))
    FilingService(session).file(FilingRequest(
        image_ids=tuple(ids), patient_id=patient_id, kind=ImageKind.CLINICAL_PHOTO,
        body_site=BodySite.parse("left-lower-leg"), description="ulcer", consent=care.code))
    session.lock()


def test_a_refused_teaching_export_is_explained_with_the_form_to_print(
        qtbot, logged_in, vault_path, corpus, tmp_path, monkeypatch):
    [mai, *_] = add_patients(vault_path, PATIENTS)
    _filed_on_spoken_consent(vault_path, corpus, tmp_path, mai)
    shell = logged_in("clinician")
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing

    qtbot.keyClick(shell.window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    export = filing.export_dialog
    qtbot.waitUntil(export.isVisible)
    export.purpose.setFocus()
    qtbot.keyClicks(export.purpose, "Education")
    assert export.recipient.currentText() == "Students"
    exports = tmp_path / "for the talk"
    exports.mkdir()
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda *a, **k: asked.append(a) or str(exports))
    with qtbot.waitSignal(filing.export_refused, timeout=15000):
        qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
    assert asked == [], "no folder is asked for an export the consent refuses"

    refusal = filing.refusal_dialog
    qtbot.waitUntil(refusal.isVisible)
    assert refusal.reason.text().startswith(
        "Needs the patient's consent for education; none recorded")
    assert refusal.remedy.text().startswith("To allow it: Record the patient's consent for "
                                            "education, to be seen by students")
    assert not any(exports.iterdir())
    assert "Not exported" in shell.window.activity.text()
    in_the_record = shell.record.commands.form_button.text().replace("&", "").rstrip("…")
    assert refusal.form_button.text() == f"{in_the_record} for education…"

    qtbot.mouseClick(refusal.form_button, Qt.MouseButton.LeftButton)
    form = filing.consent_dialog
    qtbot.waitUntil(form.isVisible)
    assert form.method_buttons[form.method].text().startswith("Written")
    ticked = [purpose for purpose, box in form.purposes.items() if box.isChecked()]
    assert [str(p) for p in ticked] == ["education"]
    for box in form.told:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    saved = tmp_path / "form.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    with qtbot.waitSignal(filing.consent_recorded, timeout=10000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "consent form" in shell.window.activity.text(), timeout=15000)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "NGUYEN, Mai" in text and "teaching" in text
    assert "was saved" in shell.window.activity.text()


def test_the_idle_lock_hides_a_filing_and_unlocking_carries_it_on(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path, clock):
    [mai, *_] = add_patients(vault_path, PATIENTS)
    drop = tmp_path / "drop"
    drop.mkdir()
    workstation.remember(drop_folder=str(drop), outbox=str(tmp_path / "outbox"))
    shell = logged_in("clinician")
    arrive(qtbot, shell, corpus, drop, 2)
    select_first(qtbot, shell, 2)
    choose_patient(qtbot, shell, "nguyen mai")
    filing = shell.desk_controller.filing
    describe(qtbot, filing.classify)
    qtbot.keyClick(shell.window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = filing.consent_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.mouseClick(dialog.told[0], Qt.MouseButton.LeftButton)

    with qtbot.waitSignal(shell.locked, timeout=5000):
        clock.advance(shell.desk.settings.auto_lock_minutes * 60 + 1)
    window = shell.window
    assert window.covered and not dialog.isVisible()
    assert not shell.desk_view.isVisible()
    qtbot.waitUntil(lambda: shell.desk.session.locked, timeout=5000)

    qtbot.keyClicks(window.lock_view.password_edit, PASSWORDS["clinician"])
    with qtbot.waitSignal(shell.unlocked, timeout=10000):
        qtbot.keyClick(window.lock_view.password_edit, Qt.Key.Key_Return)
    assert window.current_page() == "desk" and dialog.isVisible()
    assert dialog.told[0].isChecked()
    assert filing.classify.description.text() == "itchy rash"
    assert filing.classify.body_site().label == "left ankle (outer ankle bone)"
    assert shell.desk_view.banner.name.text() == "NGUYEN, Mai"
    assert len(filing.selected) == 2

    for box in dialog.told[1:]:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(filing.consent_recorded, timeout=10000):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: filing.file_panel.chosen_consent is not None
                    and window.isActiveWindow(), timeout=5000)
    with qtbot.waitSignal(filing.summary_written, timeout=30000):
        qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.activity.text().startswith("Filed 2 pictures to NGUYEN, Mai")
