"""One export or summary reads its pictures once, decides on them, and records what it decided.

The index is opened once for a whole document, and the statements it runs
do not grow with the number of pictures. A consent withdrawn while an
export is being decided cannot slip between the decision and the recorded
use: either the export is refused, or the withdrawal lists the use among
those already made.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from clinfile.app.consent.service import ConsentService
from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
from clinfile.app.desk.exports import ExportRequest, export_record
from clinfile.app.reports.service import ReportService, Selection
from clinfile.app.uses import gate
from clinfile.app.uses.gate import UseRefused
from clinfile.app.vault import vault as vault_module

TEAM = Recipient(group=RecipientClass.TREATING_TEAM)
STUDENTS = Recipient(group=RecipientClass.STUDENTS)
PHOTO = "exif-samples/jpg/gps/DSCN0010.jpg"


class _IndexUse:
    """Counts the index connections opened, and the statements they run, while it watches."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.connections = 0
        self.statements: list[str] = []
        opened = vault_module.open_encrypted

        def counted(*args, **kwargs):
            conn = opened(*args, **kwargs)
            self.connections += 1
            conn.set_trace_callback(self.statements.append)
            return conn

        monkeypatch.setattr(vault_module, "open_encrypted", counted)


def _export_use(monkeypatch, session, patient: int, folder: Path) -> _IndexUse:
    with monkeypatch.context() as watching:
        use = _IndexUse(watching)
        export_record(session, ExportRequest(patient, Purpose.CLINICAL_CARE, TEAM, "pdf",
                                             folder))
    return use


def _summary_use(monkeypatch, session, patient: int, folder: Path) -> _IndexUse:
    with monkeypatch.context() as watching:
        use = _IndexUse(watching)
        ReportService(session).summary(Selection(patient=patient), out=folder)
    return use


@pytest.mark.parametrize("document", [_export_use, _summary_use])
def test_a_document_opens_the_index_once_whatever_its_pictures(login, record, tmp_path,
                                                              monkeypatch, document):
    few, _, _ = record(2)
    many, _, _ = record(7)
    clinician = login("clinician")
    small = document(monkeypatch, clinician, few, tmp_path / "few")
    large = document(monkeypatch, clinician, many, tmp_path / "many")
    assert (small.connections, large.connections) == (1, 1)
    assert len(large.statements) == len(small.statements)
    assert len(list((tmp_path / "many").glob("*.pdf"))) == 1


def test_a_withdrawal_during_the_decision_cannot_slip_past_the_recorded_use(login, record,
                                                                           tmp_path,
                                                                           monkeypatch):
    patient, images, code = record(3)
    clinician = login("clinician")
    reception = ConsentService(login("reception"))
    withdrawn: list = []
    real_decide = gate.decide

    def withdraw_meanwhile() -> None:
        withdrawn.append(reception.withdraw(code, frozenset({Purpose.EDUCATION}),
                                            reason="changed her mind"))

    def decide_while_withdrawing(*args, **kwargs):
        if not withdrawn and not getattr(decide_while_withdrawing, "started", None):
            decide_while_withdrawing.started = threading.Thread(target=withdraw_meanwhile)
            decide_while_withdrawing.started.start()
            # Long enough for a withdrawal that is not held back to commit.
            decide_while_withdrawing.started.join(timeout=2)
        return real_decide(*args, **kwargs)

    monkeypatch.setattr(gate, "decide", decide_while_withdrawing)
    try:
        written = export_record(clinician, ExportRequest(
            patient, Purpose.EDUCATION, STUDENTS, "jpeg", tmp_path / "teaching"))
    except UseRefused:
        written = None
    decide_while_withdrawing.started.join()
    [result] = withdrawn
    listed = {use.image_id for use in result.uses_already_made + result.uses_not_known_sent}
    if written is not None:
        assert len(written.paths) == len(images)
        assert listed == set(images), "an export decided before the withdrawal went unlisted"
    else:
        assert not listed
    with pytest.raises(UseRefused, match="withdrew consent for education"):
        export_record(clinician, ExportRequest(patient, Purpose.EDUCATION, STUDENTS, "jpeg",
                                               tmp_path / "again"))
