"""A demonstration practice, and the window opened at each of its main screens.

Run from the clone's root: ``python -m tests.demo.practice build FOLDER``
makes a vault of invented patients with invented photographs in its inbox and
one refused file in quarantine, from nothing but this project (a fresh clone
can run it); ``python -m tests.demo.practice show FOLDER SCREEN`` opens the
window on that vault at one screen, as a person would have got there, for the
screenshots in ``docs/screenshots/``. No real patient is ever involved, and
none of this ships: a practice's installed Clinfile cannot make invented
patients in its vault.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from clinfile.app.desk.workstation import WorkstationStore
from tests.demo.pictures import DEMO_PICTURES, PHONE_PICTURES, DemoPicture, write_demo_picture

ADMIN, ADMIN_PASSWORD = "manager", "demo practice manager password"
RECEPTION, RECEPTION_PASSWORD = "reception", "demo front desk password"
CLINICIAN, CLINICIAN_PASSWORD = "drpatel", "demo consulting room password"
SCREENS = ("welcome", "login", "desk", "compare", "classify", "quarantine", "refused", "lock",
           "admin", "patients", "device", "shortcuts", "record", "record-compare", "record-correct",
           "today", "find", "users", "retention", "audit", "incident", "record-withdraw")
# Mai Nguyen's earlier visits: her leg ulcer healing over eight weeks, and a mole last year.
EARLIER_VISITS = (
    ("ulcer", "left-lower-leg: above the ankle", "leg ulcer", "leg ulcer", 56),
    ("ulcer", "left-lower-leg: above the ankle", "leg ulcer, smaller", "leg ulcer", 42),
    ("ulcer", "left-lower-leg: above the ankle", "leg ulcer, edges healing", "leg ulcer", 28),
    ("ulcer", "left-lower-leg: above the ankle", "leg ulcer, nearly closed", "leg ulcer", 14),
    ("mole", "upper-back: below the left shoulder blade", "mole to watch", "skin check", 380),
    ("mole", "upper-back: below the left shoulder blade", "mole, unchanged", "skin check", 200),
)
KNOWN_PATIENTS = [
    ("900001", "Nguyen", "Mai", "1990-06-05", "Footscray"),
    ("900002", "Nguyen", "Minh", "1975-01-30", "Richmond"),
    ("900003", "Ngyuen", "May", "1991-05-06", "Sunshine"),
]
FULL_NAMES = {ADMIN: "Jo Bloggs", RECEPTION: "Sam Carter", CLINICIAN: "Dr Priya Patel"}
PATIENT_EXPORT = ("Record No,Surname,First Name,DOB,Suburb,Medicare\r\n"
                  "900101,Tran,Linh,14/02/1988,Footscray,2123456701\r\n"
                  "900102,O'Brien,Kate,03/11/1952,Richmond,\r\n"
                  "900103,,Unknown,01/01/1970,Sunshine,\r\n"
                  "900104,Papadopoulos,Nick,not known,Carlton,\r\n")


def build(folder: Path) -> None:
    """Make the demonstration vault, its patients, inbox and quarantine in ``folder``."""
    from clinfile.app.ingest import events as ev
    from clinfile.app.ingest.service import ImportService
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService
    from clinfile.app.vault.vault import Vault
    from clinfile.db.connection import transaction
    from clinfile.db.patients import PatientRepository, PatientValues
    from tests.demo.patients import SyntheticPractice

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    vault = folder / "vault"
    Vault.create(vault, ADMIN, ADMIN_PASSWORD).vault.lock()
    admin = Session.login(vault, ADMIN, ADMIN_PASSWORD)
    UserService(admin).set_full_name(ADMIN, FULL_NAMES[ADMIN])
    UserService(admin).add(RECEPTION, "reception", RECEPTION_PASSWORD, FULL_NAMES[RECEPTION])
    UserService(admin).add(CLINICIAN, "clinician", CLINICIAN_PASSWORD, FULL_NAMES[CLINICIAN])
    invented = [(p.record_number, p.family_name, p.given_names,
                 p.birth_date.isoformat() if p.birth_date else None, p.suburb)
                for p in SyntheticPractice(seed=7).patients(400)]
    with admin.vault.index() as conn, transaction(conn):
        repo = PatientRepository(conn)
        for record, family, given, born, suburb in KNOWN_PATIENTS + invented:
            repo.add(PatientValues(record, family, given, birth_date=born, suburb=suburb),
                     "2026-01-01T00:00:00+00:00")
    admin.lock()

    arrived = folder / "arrived"
    arrived.mkdir()
    now = datetime.now()
    for picture in DEMO_PICTURES:
        write_demo_picture(picture, arrived, now=now)
    (arrived / "referral letter.jpg").write_text("Dear Doctor, please see the attached letter.")

    reception = Session.login(vault, RECEPTION, RECEPTION_PASSWORD)
    paths = sorted(arrived.iterdir())
    events = ImportService(reception).import_paths(paths)
    for event in events:
        if isinstance(event, ev.Finished) or (isinstance(event, ev.Progress)
                                              and event.done == len(paths)):
            break
    events.close()
    reception.lock()
    _file_the_ulcer_photo(vault)
    _file_earlier_visits(vault, folder / "earlier")
    _send_the_ulcer_summary_astray(
        vault, folder / "Shared" / "Referrals and letters" / "2026" / "to Footscray Wound Clinic")
    _plug_in_a_phone(folder / "media")
    (folder / "drop").mkdir()
    (folder / "outbox").mkdir()
    (folder / "patients.csv").write_text(PATIENT_EXPORT, encoding="utf-8")
    WorkstationStore(folder / "config").remember(
        vault=str(vault), user=RECEPTION, drop_folder=str(folder / "drop"),
        outbox=str(folder / "outbox"))


def _plug_in_a_phone(media: Path) -> None:
    """A phone mounted under ``media``: three photos taken this morning, two yesterday's."""
    dcim = media / "iPhone" / "DCIM" / "100APPLE"
    dcim.mkdir(parents=True)
    now = datetime.now()
    for picture in PHONE_PICTURES:
        photo = write_demo_picture(picture, dcim, now=now)
        taken = now.timestamp() - picture.hours_ago * 3600
        os.utime(photo, (taken, taken))


def _file_the_ulcer_photo(vault: Path) -> None:
    """File 'wound day 3.jpg' to Mai Nguyen on spoken consent for her care only."""
    from datetime import date

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
    from clinfile.app.ingest.service import ImportService
    from clinfile.app.security.session import Session

    doctor = Session.login(vault, CLINICIAN, CLINICIAN_PASSWORD)
    wound = next(row for row in ImportService(doctor).inbox()
                 if row.source_path.endswith("wound day 3.jpg"))
    mai = 1
    care = ConsentService(doctor).record(ConsentRequest(
        patient_id=mai, method=Method.VERBAL, purposes=frozenset({Purpose.CLINICAL_CARE}),
        recipients=(Recipient(group=RecipientClass.TREATING_TEAM),), obtained_by=CLINICIAN,
        obtained_on=date.today(), disclosure=Disclosure(True, True, True)))
    FilingService(doctor).file(FilingRequest(
        image_ids=(wound.id,), patient_id=mai, kind=ImageKind.CLINICAL_PHOTO,
        body_site=BodySite.parse("left-lower-leg: above the ankle"), description="leg ulcer",
        consent=care.code, episode_description="leg ulcer"))
    doctor.lock()


def _file_earlier_visits(vault: Path, folder: Path) -> None:
    """File Mai Nguyen's earlier visits, each on the day it was taken, on her spoken consent."""
    from datetime import timedelta

    from clinfile.app.consent.vocabulary import ImageKind
    from clinfile.app.filing.body_sites import BodySite
    from clinfile.app.filing.model import FilingRequest
    from clinfile.app.filing.service import FilingService
    from clinfile.app.ingest.service import ImportService
    from clinfile.app.security.session import Session

    folder.mkdir()
    now = datetime.now()
    doctor = Session.login(vault, CLINICIAN, CLINICIAN_PASSWORD)
    care = FilingService(doctor).images_of(1)[0].consent_id
    for number, (lesion, site, description, episode, days) in enumerate(EARLIER_VISITS):
        picture = DemoPicture(f"visit {number}.jpg", lesion, ("Canon", "PowerShot G7 X"),
                              days * 24)
        path = write_demo_picture(picture, folder, now=now, seed=number)
        for _event in ImportService(doctor).import_paths([path]):
            pass
        row = next(r for r in ImportService(doctor).inbox() if r.source_path == str(path))
        FilingService(doctor).file(FilingRequest(
            image_ids=(row.id,), patient_id=1, kind=ImageKind.CLINICAL_PHOTO,
            body_site=BodySite.parse(site), description=description, consent=care,
            taken_at=(now - timedelta(days=days)).isoformat(timespec="seconds"),
            episode_description=episode))
    doctor.lock()


def _send_the_ulcer_summary_astray(vault: Path, sent: Path) -> None:
    """Export Mai Nguyen's ulcer photo for her care, which then went to the wrong doctor."""
    from datetime import date

    from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
    from clinfile.app.incidents.service import IncidentReport, IncidentService
    from clinfile.app.reports.service import ReportService, Selection
    from clinfile.app.security.session import Session

    doctor = Session.login(vault, CLINICIAN, CLINICIAN_PASSWORD)
    ReportService(doctor).export(Selection(patient=1), Purpose.CLINICAL_CARE,
                                 Recipient(group=RecipientClass.TREATING_TEAM),
                                 file_format="pdf", out=sent)
    export = IncidentService(doctor).exports()[0]
    IncidentService(doctor).report(IncidentReport(
        export.seq, "The leg ulcer summary PDF (7 photographs) of Mai Nguyen.",
        "Dr Ben Smith, Carlton Skin Clinic, by email (meant for Dr Ben Smyth, Footscray "
        "Wound Clinic)", date.today(),
        "Phoned Dr Smith at 2:40 pm; he deleted the email and its attachment and confirmed "
        "in writing. Mai Nguyen was told by phone and apologised to. Advice sought from the "
        "practice's medical defence organisation."))
    doctor.lock()


def _teach_with_the_ulcer(vault: Path, lecture: Path) -> None:
    """Mai Nguyen agrees to teaching; one ulcer photo goes to a lecture, another half way.

    The second export stops dead after it was allowed (the power cut), so it
    is not known to have been sent.
    """
    from datetime import date

    from clinfile.app.consent.model import Disclosure
    from clinfile.app.consent.service import ConsentRequest, ConsentService
    from clinfile.app.consent.vocabulary import Method, Purpose, Recipient, RecipientClass
    from clinfile.app.filing.service import FilingService
    from clinfile.app.reports.service import ReportService, Selection
    from clinfile.app.security.session import Session
    from clinfile.app.uses.gate import authorise_use

    students = Recipient(group=RecipientClass.STUDENTS)
    doctor = Session.login(vault, CLINICIAN, CLINICIAN_PASSWORD)
    ConsentService(doctor).record(ConsentRequest(
        patient_id=1, method=Method.VERBAL, purposes=frozenset({Purpose.EDUCATION}),
        recipients=(students,), obtained_by=CLINICIAN, obtained_on=date.today(),
        disclosure=Disclosure(True, True, True)))
    ulcer = [i.image_id for i in FilingService(doctor).images_of(1)
             if "ulcer" in i.description]
    ReportService(doctor).export(Selection(image_ids=(ulcer[0],)), Purpose.EDUCATION, students,
                                 file_format="jpeg", out=lecture)
    authorise_use(doctor, [ulcer[-1]], Purpose.EDUCATION, students)
    doctor.lock()


def show(folder: Path, screen: str) -> int:
    """Open the window on the demonstration vault at ``screen`` and run until closed."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from clinfile.ui.application import prepare
    from clinfile.ui.shell import Shell

    if screen == "record-withdraw":
        _teach_with_the_ulcer(folder / "vault", folder / "outbox" / "Lecture, wound care")
    app = QApplication(sys.argv)
    prepare(app)
    store = WorkstationStore(folder / "config")
    if screen == "welcome":
        store = WorkstationStore(folder / "fresh-config")
    else:  # the practice may have been copied since it was built: use the copy's folders
        store.remember(vault=str(folder / "vault"), drop_folder=str(folder / "drop"),
                       outbox=str(folder / "outbox"))
    shell = Shell(store, device_roots=[folder / "media"])
    desk = shell.desk_controller

    def log_in() -> None:
        if screen in ("welcome", "login"):
            return
        login = shell.window.login
        user, password = {"admin": (ADMIN, ADMIN_PASSWORD), "patients": (ADMIN, ADMIN_PASSWORD),
                          "audit": (ADMIN, ADMIN_PASSWORD), "incident": (ADMIN, ADMIN_PASSWORD),
                          "users": (ADMIN, ADMIN_PASSWORD), "retention": (ADMIN, ADMIN_PASSWORD),
                          "refused": (CLINICIAN, CLINICIAN_PASSWORD),
                          "record": (CLINICIAN, CLINICIAN_PASSWORD),
                          "record-compare": (CLINICIAN, CLINICIAN_PASSWORD),
                          "record-correct": (CLINICIAN, CLINICIAN_PASSWORD),
                          "record-withdraw": (CLINICIAN, CLINICIAN_PASSWORD),
                          "today": (CLINICIAN, CLINICIAN_PASSWORD),
                          "find": (CLINICIAN, CLINICIAN_PASSWORD)}.get(
            screen, (RECEPTION, RECEPTION_PASSWORD))
        login.user_edit.setText(user)
        login.password_edit.setText(password)
        login.unlock_button.click()

    def at_desk() -> None:
        if screen == "admin":
            shell.window.show_page("admin")
            shell.admin.tabs.setCurrentWidget(shell.admin.settings)
        elif screen == "patients":
            shell.admin.tabs.setCurrentWidget(shell.admin.patients)
            QTimer.singleShot(300, lambda: shell.admin.patients.choose_file(
                folder / "patients.csv"))
        elif screen == "audit":
            shell.admin.tabs.setCurrentWidget(shell.admin.audit)
            QTimer.singleShot(300, shell.admin.audit.search)
        elif screen == "users":
            shell.admin.tabs.setCurrentWidget(shell.admin.users)
        elif screen == "retention":
            shell.admin.tabs.setCurrentWidget(shell.admin.retention)
        elif screen == "incident":
            shell.admin.tabs.setCurrentWidget(shell.admin.incidents)
            shell.admin.incidents.listed.connect(report_again)
        elif screen == "shortcuts":
            QTimer.singleShot(600, shell.window.show_shortcuts)
        elif screen == "quarantine":
            shell.desk_view.inbox.tabs.setCurrentIndex(1)
        elif screen == "device":
            QTimer.singleShot(600, shell.import_from_device)
        elif screen.startswith("record") or screen in ("today", "find"):
            shell.window.show_page("record")
            shell.record.record_shown.connect(in_the_record)
            shell.record.open_patient(1)
        elif screen == "lock":
            QTimer.singleShot(600, lock_then_receive)
        else:
            QTimer.singleShot(800, select)

    def report_again(_incidents) -> None:
        """Open the report form on the export that went astray, filled in as far as told."""
        incidents = shell.admin.incidents
        incidents.listed.disconnect(report_again)
        incidents.ask_report()
        QTimer.singleShot(1200, lambda: incidents.dialog.sent_to_edit.setText(
            "Dr Ben Smith, Carlton Skin Clinic (meant for Dr Ben Smyth)"))

    def in_the_record(_record) -> None:
        """Compare the ulcer's last two visits, correct the newest picture's side, list
        today's filings, find the ulcer's earlier filings, or withdraw consent to teaching."""
        record = shell.record_view
        if screen == "today":
            record.finding.setCurrentWidget(record.today)
        elif screen == "find":
            record.finding.setCurrentWidget(record.find_panel)
            record.find_panel.words.setText("ulcer")
            QTimer.singleShot(300, record.find_panel.find_button.click)
        elif screen == "record-compare":
            QTimer.singleShot(300, shell.record.commands.compare)
        elif screen == "record-correct":
            QTimer.singleShot(300, shell.record.commands.correct)
        elif screen == "record-withdraw":
            shell.record.record_shown.disconnect(in_the_record)
            QTimer.singleShot(300, shell.record.commands.withdraw)
            QTimer.singleShot(1500, withdraw_teaching)

    def withdraw_teaching() -> None:
        """Choose the consent to teaching and withdraw it: the practice sees what left."""
        dialog = shell.record.commands.withdraw_dialog
        dialog.consent_box.setCurrentIndex(dialog.consent_box.count() - 1)
        dialog.reason_edit.setText("no longer wants her photos shown to students")
        dialog.withdraw_button.click()

    def lock_then_receive() -> None:
        """Lock, then let two pictures arrive: the lock screen counts them."""
        shell.idle.idled.emit()  # as if the practice's idle time had passed
        now = datetime.now()
        for picture in PHONE_PICTURES[2:4]:
            write_demo_picture(picture, folder / "drop", now=now)

    def select() -> None:
        inbox = shell.desk_view.inbox
        if screen == "compare":
            inbox.select_row(1)
            index = inbox.model.index(3, 0)
            inbox.list.selectionModel().select(index, inbox.list.selectionModel().SelectionFlag
                                               .Select)
            return
        rows = [inbox.model.item(row).text() for row in range(inbox.model.rowCount())]
        desk.searched.connect(choose_once)
        if screen == "refused":
            desk.panel.search_edit.setText("nguyen mai 5/6/90")
            return
        inbox.select_row(next((n for n, text in enumerate(rows) if "Mai Nguyen" in text), 0))

    def choose_once(result) -> None:
        desk.searched.disconnect(choose_once)
        if result.candidates:
            desk.panel.candidates.setCurrentRow(0)
            desk.panel.candidates.setFocus(Qt.FocusReason.OtherFocusReason)
            desk.choose_patient(result.candidates[0])
        if screen == "classify":
            describe()
        elif screen == "refused":
            QTimer.singleShot(300, export_for_teaching)

    def describe() -> None:
        from clinfile.app.consent.vocabulary import ImageKind

        classify = desk.filing.classify
        classify.kind.setCurrentIndex(classify.kind.findData(ImageKind.PATIENT_SENT))
        classify.site.setCurrentIndex(classify.site.findData("ankle"))
        classify.side.setCurrentIndex(classify.side.findData("left"))
        classify.description.setText("itchy rash since Sunday")
        classify.purpose.setText("advice on treatment")
        classify.episode.setText("rash, left ankle")
        QTimer.singleShot(300, desk.filing.record_consent)

    def export_for_teaching() -> None:
        from clinfile.app.consent.vocabulary import Purpose, Recipient, RecipientClass
        from clinfile.app.desk.exports import ExportRequest

        desk.filing.export_to(ExportRequest(
            desk.patient.patient.id, Purpose.EDUCATION, Recipient(group=RecipientClass.STUDENTS),
            "pdf", folder / "exports"))

    shell.ready.connect(log_in)
    shell.desk_opened.connect(at_desk)
    shell.start()
    shell.window.setGeometry(app.primaryScreen().availableGeometry())
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build FOLDER`` or ``show FOLDER SCREEN``."""
    parser = argparse.ArgumentParser(prog="python -m tests.demo.practice")
    verbs = parser.add_subparsers(dest="verb", required=True)
    build_verb = verbs.add_parser("build")
    build_verb.add_argument("folder", type=Path)
    show_verb = verbs.add_parser("show")
    show_verb.add_argument("folder", type=Path)
    show_verb.add_argument("screen", choices=SCREENS)
    args = parser.parse_args(argv)
    if args.verb == "build":
        build(args.folder)
        return 0
    return show(args.folder, args.screen)


if __name__ == "__main__":
    sys.exit(main())
