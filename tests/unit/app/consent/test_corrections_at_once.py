"""Corrections made at once, or from a record that has changed since it was seen.

Every correction names the patient whose record the person saw the pictures
in, and where each picture is now is checked in the one write that corrects
them all: a picture is never moved away from a patient its corrector never
saw, and a correction of several pictures is made for every one or for none.
"""

from __future__ import annotations

import contextlib
import sys
import threading

import pytest

from clinfile.app import clock
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.service import REASON_LIMIT, FilingError, FilingService, picture_words
from clinfile.app.record.corrections import Correction, correct_pictures
from clinfile.db import connection
from clinfile.db.audit import AuditRepository
from clinfile.db.filing import FilingRepository
from tests.unit.app.consent.test_filing_service import request


def _moves(session) -> list[dict]:
    import json
    with session.vault.index() as conn:
        return [json.loads(r.detail) for r in AuditRepository(conn).rows()
                if r.action == "filing.corrected"]


def test_a_move_of_a_picture_moved_meanwhile_is_refused_in_plain_words(
        login, add_patient, add_inbox_image):
    okafor = add_patient("Okafor", "Ada", record_number="MRN1003")
    mai = add_patient(record_number="MRN1001")
    may = add_patient("Nguyen", "May", record_number="MRN1002")
    image = add_inbox_image()
    FilingService(login("reception")).file(request([image], may))
    FilingService(login("clinician")).move_to_patient(image, okafor, "wrong Nguyen",
                                                      filed_to=may)

    stale = FilingService(login("clinician"))
    with pytest.raises(FilingError) as refused:
        stale.move_to_patient(image, mai, "wrong Nguyen", filed_to=may)
    assert str(refused.value).startswith(
        "The picture of the left ankle (lateral malleolus) taken 20/11/2026 (sent by the patient) "
        "is no longer in the record of NGUYEN, May (record MRN1002): it was "
        "moved to the record of OKAFOR, Ada (record MRN1003) since; nothing was corrected.")
    with pytest.raises(FilingError, match="no longer in the record of NGUYEN, May"):
        stale.correct_body_site(image, BodySite.parse("right-ankle"), "other side", filed_to=may)
    assert stale.image(image).patient_id == okafor
    assert len(_moves(login("clinician"))) == 1


def test_two_moves_of_one_picture_at_once_one_is_refused(login, add_patient, add_inbox_image):
    wrong = add_patient("Nguyen", "May")
    targets = [add_patient(), add_patient("Okafor", "Ada")]
    image = add_inbox_image()
    FilingService(login("reception")).file(request([image], wrong))
    sessions = [login("clinician"), login("clinician")]
    start = threading.Barrier(len(targets))
    outcomes: list[object] = [None, None]

    def move(which: int) -> None:
        start.wait()
        try:
            outcomes[which] = FilingService(sessions[which]).move_to_patient(
                image, targets[which], "wrong Nguyen", filed_to=wrong).patient_id
        except FilingError as refused:
            outcomes[which] = str(refused)

    threads = [threading.Thread(target=move, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    moved_to = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, str)]
    assert len(moved_to) == 1 and len(refused) == 1, outcomes
    assert "no longer in the record of NGUYEN, May" in refused[0]
    assert FilingService(sessions[0]).image(image).patient_id == moved_to[0]
    assert [m["from_patient_id"] for m in _moves(sessions[0])] == [wrong]


def test_a_reason_longer_than_the_limit_is_refused_before_anything_is_corrected(
        login, add_patient, add_inbox_image):
    mai, linh = add_patient(), add_patient("Tran", "Linh")
    image = add_inbox_image()
    FilingService(login("reception")).file(request([image], mai))
    doctor = login("clinician")
    too_long = "x" * (REASON_LIMIT + 1)
    with pytest.raises(FilingError, match=f"at most {REASON_LIMIT}.*Nothing was corrected"):
        FilingService(doctor).move_to_patient(image, linh, too_long, filed_to=mai)
    with pytest.raises(FilingError, match=f"at most {REASON_LIMIT}") as refused:
        correct_pictures(doctor, mai, [image], Correction(too_long, to_patient=linh))
    assert refused.value.field == "reason"
    moved = FilingService(doctor).move_to_patient(image, linh, f"  {'y' * REASON_LIMIT}  ",
                                                  filed_to=mai)
    assert moved.patient_id == linh


def _moved_elsewhere_in_a_write_held_open(held: contextlib.ExitStack, session, image: int,
                                          seen_in: int, to: int) -> None:
    """Another workstation's move of ``image``, written and audited but not yet committed.

    The move is made as the filing service makes one, on a connection whose
    write transaction stays open, holding the index's write lock, until
    ``held`` is closed.
    """
    vault = session.vault
    conn = held.enter_context(vault.index())
    work = held.enter_context(vault.audited(conn))
    fields = {"what": "patient", "from_patient_id": seen_in, "to_patient_id": to}
    FilingRepository(conn).add_correction(image, reason="wrong Nguyen", corrected_by="clinician",
                                          corrected_at=clock.stamp(), **fields)
    work.record(AuditEntry("clinician", "filing.corrected", f"image {image}",
                           {**fields, "reason": "wrong Nguyen"}))


def _correcting_on_a_thread(target):
    """Run ``target`` on a thread; the event is set as it begins its first write transaction."""
    writing = threading.Event()
    begins_a_write = connection.transaction.__wrapped__.__code__
    outcome: list[object] = []

    def noticed(frame, event, _arg):
        if event == "call" and frame.f_code is begins_a_write:
            writing.set()

    def run() -> None:
        sys.settrace(noticed)
        try:
            outcome.append(target())
        except FilingError as refused:
            outcome.append(refused)
        finally:
            sys.settrace(None)

    return threading.Thread(target=run), writing, outcome


def test_a_picture_moved_elsewhere_during_a_correction_of_three_leaves_all_three_as_they_were(
        login, add_patient, add_inbox_image):
    mai = add_patient(record_number="MRN1001")
    linh = add_patient("Tran", "Linh", record_number="MRN1002")
    okafor = add_patient("Okafor", "Ada", record_number="MRN1003")
    a, b, c = add_inbox_image(), add_inbox_image(), add_inbox_image()
    reception = FilingService(login("reception"))
    for image, site in ((a, "left-ankle"), (b, "right-knee"), (c, "left-hand")):
        reception.file(request([image], mai, body_site=BodySite.parse(site)))
    doctor = login("clinician")
    b_as_seen = FilingService(doctor).image(b)
    thread, writing, outcome = _correcting_on_a_thread(lambda: correct_pictures(
        doctor, mai, [a, b, c], Correction("filed to the wrong patient", to_patient=linh)))

    with contextlib.ExitStack() as held:
        _moved_elsewhere_in_a_write_held_open(held, login("clinician"), b, mai, okafor)
        thread.start()
        assert writing.wait(timeout=60)
    thread.join(timeout=120)

    [refused] = outcome
    assert isinstance(refused, FilingError), outcome
    words = " ".join(str(refused).split())
    assert words.startswith(f"{picture_words(b_as_seen).capitalize()} is no longer in the record "
                            "of NGUYEN, Mai (record MRN1001): it was moved to the record of "
                            "OKAFOR, Ada (record MRN1003) since; nothing was corrected."), words
    now = {i.image_id: i for i in FilingService(doctor).images_of(mai)}
    assert sorted(now) == [a, c]
    assert all(not now[i].corrections for i in (a, c))
    assert FilingService(doctor).images_of(linh) == []
    assert [(m["from_patient_id"], m["to_patient_id"]) for m in _moves(doctor)] == [(mai, okafor)]
