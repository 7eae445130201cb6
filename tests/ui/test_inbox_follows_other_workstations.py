"""Pictures filed at another workstation leave this desk's inbox within seconds.

The other workstation is a process of its own on the same vault, as the
command line or a second window is. The inbox must stop offering what was
filed there, keep the person's other chosen pictures chosen, and a filing
that races it is refused in words that say where the picture went.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt

from tests.conftest import PASSWORDS
from tests.ui.helpers import (
    add_patients,
    choose_patient,
    describe,
    log_in_as_pictures_arrive,
    record_verbal_consent,
    select_first,
)

PATIENTS = [("MRN1001", "Nguyen", "Mai", "1990-06-05", "Footscray"),
            ("MRN1003", "Smith", "John", "1980-03-12", "Carlton")]
REPOSITORY = Path(__file__).resolve().parents[2]


def file_elsewhere(vault_path: Path, image_ids: list[int], patient_id: int) -> None:
    """A clinician at another workstation files inbox pictures to the patient."""
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
    from clinfile.app.security.session import Session

    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    consent = ConsentService(doctor).record(ConsentRequest(
        patient_id=patient_id, method=Method.VERBAL,
        purposes=frozenset({Purpose.CLINICAL_CARE}),
        recipients=(Recipient(group=RecipientClass.TREATING_TEAM),),
        obtained_by="clinician", obtained_on=date.today(),
        disclosure=Disclosure(True, True, True))).code
    for image_id in image_ids:
        FilingService(doctor).file(FilingRequest(
            image_ids=(image_id,), patient_id=patient_id, kind=ImageKind.CLINICAL_PHOTO,
            body_site=BodySite.parse("face"), description="mole",
            consent=consent, episode_description="mole"))
    doctor.lock()


def _in_another_process(qtbot, vault_path: Path, image_ids: list[int], patient_id: int) -> None:
    """File as another workstation would, the window left to run meanwhile."""
    code = (f"from pathlib import Path; from tests.ui.test_inbox_follows_other_workstations "
            f"import file_elsewhere; file_elsewhere(Path({str(vault_path)!r}), "
            f"{image_ids!r}, {patient_id!r})")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPOSITORY,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=60000)
    assert process.returncode == 0, process.stderr.read()


def _inbox_ids(shell) -> list[int]:
    model = shell.desk_view.inbox.model
    return [model.item(row).data(Qt.ItemDataRole.UserRole) for row in range(model.rowCount())]


def test_pictures_filed_elsewhere_leave_the_inbox_and_the_rest_stay_chosen(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    [_mai, smith] = add_patients(vault_path, PATIENTS)
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "clinician", 3)
    first, second, third = _inbox_ids(shell)
    select_first(qtbot, shell, 2)
    inbox = shell.desk_view.inbox
    assert inbox.selected_ids() == [first, second]

    _in_another_process(qtbot, vault_path, [second, third], smith)

    qtbot.waitUntil(lambda: _inbox_ids(shell) == [first], timeout=6000)
    assert inbox.selected_ids() == [first]
    assert shell.desk_controller.filing.selected == [first]
    assert inbox.tabs.tabText(0) == "Inbox (1)"


def test_filing_a_picture_filed_elsewhere_says_to_whom_and_takes_it_out(
        qtbot, logged_in, workstation, vault_path, corpus, tmp_path):
    [_mai, smith] = add_patients(vault_path, PATIENTS)
    shell = log_in_as_pictures_arrive(qtbot, logged_in, workstation, corpus, tmp_path,
                                      "clinician", 2)
    first, second = _inbox_ids(shell)
    select_first(qtbot, shell, 1)
    choose_patient(qtbot, shell, "mai nguyen")
    filing = shell.desk_controller.filing
    describe(qtbot, filing.classify)
    record_verbal_consent(qtbot, shell)
    qtbot.waitUntil(lambda: filing.file_panel.file_button.isEnabled(), timeout=5000)
    shell.desk_controller.inbox.pause()  # the filing elsewhere lands between two looks
    _in_another_process(qtbot, vault_path, [first], smith)

    with qtbot.waitSignal(filing.filing_refused, timeout=15000) as refused:
        qtbot.keyClick(shell.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    words = ("This picture was filed meanwhile to the record of SMITH, John (record MRN1003) "
             "at another workstation; it is taken out of the inbox.")
    assert words in refused.args[0]
    assert "Item" not in refused.args[0]
    qtbot.waitUntil(lambda: _inbox_ids(shell) == [second], timeout=5000)
    assert words in filing.file_panel.message.text()
