import json
from datetime import date

import pytest

from clinfile.app.patients.csv_import import ColumnMapping
from clinfile.app.patients.dates import DateOrder
from clinfile.app.patients.details import PatientDetails, details_of
from clinfile.app.patients.service import ImportCancelled, PatientError, PatientService
from clinfile.app.security.roles import PolicyRefused
from clinfile.app.vault.errors import VaultLocked
from clinfile.db.audit import AuditRepository
from clinfile.db.patients import PatientRepository
from tests.conftest import PASSWORDS

CSV = "\r\n".join([
    "Record No,Surname,First Name,DOB,Sex,Suburb,Medicare No,IRN",
    "100001,Smith,John,12/03/1980,M,Carlton,2123456701,1",
    "100002,Smith,Joanne,01/07/1982,F,Carlton,2123456701,2",
    "100003,Nguyen,Mai,05/06/1990,F,Footscray,2123456711,1",
    ",,Nobody,01/01/2000,,,,",
    "",
])


def run(service, path, **kwargs):
    events = list(service.import_file(path, **kwargs))
    return events[-1].report


def audit_rows(session, action):
    with session.vault.index() as conn:
        return [r for r in AuditRepository(conn).rows() if r.action == action]


def count(session):
    with session.vault.index() as conn:
        return PatientRepository(conn).count()


def test_import_reports_rows_warnings_and_problems_and_is_audited(login, tmp_path):
    session = login("reception")
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    report = run(PatientService(session), path)
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert [(p.where, p.why) for p in report.problems] == [("line 5", "no surname")]
    assert [w.where for w in report.warnings] == ["line 4"]
    assert "check digit" in report.warnings[0].why
    [row] = audit_rows(session, "patients.imported")
    detail = json.loads(row.detail)
    assert (row.actor, row.subject, detail["added"], detail["problems"]) == (
        "reception", "export.csv", 3, 1)


def test_reimporting_updates_by_record_number_and_never_duplicates(login, tmp_path):
    session = login("reception")
    service = PatientService(session)
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    run(service, path)
    path.write_text(CSV.replace("Footscray", "Sunshine"), encoding="utf-8")
    report = run(service, path)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert count(session) == 3
    assert service.search("nguyen mai").candidates[0].patient.suburb == "Sunshine"


def test_patients_without_record_numbers_are_matched_by_identifiers(login, tmp_path):
    session = login("reception")
    service = PatientService(session)
    path = tmp_path / "nonumbers.csv"
    path.write_text("Surname,First Name,DOB,IHI\nLee,Ann,03/04/1950,8003608166690503\n"
                    "Kim,Bo,04/05/1960,\n", encoding="utf-8")
    run(service, path)
    path.write_text("Surname,First Name,DOB,IHI\nLee,Anne,03/04/1950,8003608166690503\n"
                    "Kim,Bo,04/05/1960,\n", encoding="utf-8")
    report = run(service, path)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert count(session) == 2


def test_a_stopped_import_keeps_nothing(login, tmp_path):
    session = login("reception")
    rows = [f"{100000 + i},Person{i},Amy,01/01/1990" for i in range(600)]
    path = tmp_path / "big.csv"
    path.write_text("Record No,Surname,First Name,DOB\n" + "\n".join(rows), encoding="utf-8")
    with pytest.raises(ImportCancelled):
        run(PatientService(session), path, cancelled=lambda: True)
    assert count(session) == 0
    assert audit_rows(session, "patients.imported") == []


def test_import_progress_comes_as_rows_are_read(login, tmp_path):
    session = login("reception")
    rows = [f"{100000 + i},Person{i},Amy,01/01/1990" for i in range(600)]
    path = tmp_path / "big.csv"
    path.write_text("Record No,Surname,First Name,DOB\n" + "\n".join(rows), encoding="utf-8")
    events = list(PatientService(session).import_file(path))
    assert [(e.read, e.saved) for e in events] == [(250, 0), (500, 0), (600, 250), (600, 500),
                                                  (600, 600)]
    assert events[-1].report.added == 600


def test_an_import_stopped_while_saving_keeps_nothing(login, tmp_path):
    session = login("reception")
    rows = [f"{100000 + i},Person{i},Amy,01/01/1990" for i in range(600)]
    path = tmp_path / "big.csv"
    path.write_text("Record No,Surname,First Name,DOB\n" + "\n".join(rows), encoding="utf-8")
    events = PatientService(session).import_file(path)
    for event in events:
        if event.saved:
            break
    events.close()
    assert count(session) == 0


def test_manual_add_and_edit_are_checked_and_audited(login):
    session = login("clinician")
    service = PatientService(session)
    saved = service.add(PatientDetails("Smith", "John", "12/03/1980", "M", "100001",
                                       ihi="8003608166690504"))
    assert saved.patient.birth_date == "1980-03-12"
    assert saved.warnings == saved.patient.warnings
    assert "check digit" in saved.warnings[0]
    edited = service.edit(saved.patient.id, PatientDetails(
        "Smith", "John", date(1980, 3, 12), "M", "100001", ihi="8003608166690503",
        suburb="Carlton"))
    assert edited.warnings == () and edited.patient.suburb == "Carlton"
    assert service.search("smith john carlton").candidates[0].patient.suburb == "Carlton"
    [added] = audit_rows(session, "patient.added")
    [changed] = audit_rows(session, "patient.edited")
    assert added.subject == changed.subject == f"patient {saved.patient.id}"
    assert json.loads(changed.detail)["changed"] == ["suburb", "ihi", "warnings"]


def test_manual_entry_is_refused_in_words(login):
    service = PatientService(login("reception"))
    with pytest.raises(PatientError, match="cannot be saved: no surname"):
        service.add(PatientDetails("", "John"))
    with pytest.raises(PatientError, match="is in the future"):
        service.add(PatientDetails("Smith", "John", "01/01/2099"))
    service.add(PatientDetails("Smith", "John", record_number="7"))
    with pytest.raises(PatientError, match="Record number 7 already belongs to SMITH, John"):
        service.add(PatientDetails("Brown", "Amy", record_number="7"))
    with pytest.raises(PatientError, match="no patient with id 999"):
        service.edit(999, PatientDetails("Brown", "Amy"))


def test_roles_are_checked_in_the_core(login, tmp_path):
    admin = PatientService(login("admin"))
    admin.add(PatientDetails("Smith", "John"))
    with pytest.raises(PolicyRefused, match="may not search patients"):
        admin.search("smith")
    reception = PatientService(login("reception"))
    assert reception.search("smith").candidates


def test_column_mappings_are_saved_per_practice(login, tmp_path):
    session = login("reception")
    service = PatientService(session)
    mapping = ColumnMapping({"family_name": "FAM", "given_names": "GIV", "birth_date": "BORN"},
                            DateOrder.MONTH_FIRST, "old system")
    service.save_mapping(mapping)
    assert service.saved_mapping_names() == ["old system"]
    assert service.column_mapping("Old System") == mapping
    path = tmp_path / "old.csv"
    path.write_text("FAM,GIV,BORN\nSmith,John,03/12/1980\n", encoding="utf-8")
    run(service, path, mapping="old system")
    assert service.search("smith john 12/3/80").candidates[0].reasons[-1] == \
        "date of birth matches"
    with pytest.raises(PatientError, match="no column mapping called nope"):
        service.column_mapping("nope")
    with pytest.raises(PatientError, match="name of its own"):
        service.save_mapping(ColumnMapping(name="iso"))


def test_hints_from_the_filename_join_what_was_typed(login):
    service = PatientService(login("reception"))
    service.add(PatientDetails("Smith", "John", "12/03/1980", record_number="1"))
    service.add(PatientDetails("Smith", "John", "30/01/1952", record_number="2"))
    result = service.search_with_hints("smith", filename="John Smith 12-03-1980.jpg")
    assert result.candidates[0].patient.record_number == "1"
    assert not result.needs_explicit_choice


def test_an_unknown_format_or_missing_file_is_refused(login, tmp_path):
    service = PatientService(login("reception"))
    with pytest.raises(PatientError, match="no file or folder"):
        list(service.import_file(tmp_path / "missing.csv"))
    path = tmp_path / "x.csv"
    path.write_text("Name\nJohn\n", encoding="utf-8")
    with pytest.raises(PatientError, match="no column for the surname"):
        list(service.import_file(path))


def test_a_locked_session_drops_the_index_and_searches_nothing(login):
    session = login("reception")
    service = PatientService(session)
    service.add(PatientDetails("Smith", "John"))
    assert service.search("smith").candidates
    session.lock()
    with pytest.raises(VaultLocked):
        service.search("smith")
    assert not service.holds_index
    session.unlock(PASSWORDS["reception"])
    assert service.search("smith").candidates


def test_stored_details_can_be_edited_back_unchanged(login):
    service = PatientService(login("reception"))
    saved = service.add(PatientDetails("Taylor", "Jane", "02/04/1979", "F", "9",
                                       previous_names=("Wilson",), medicare_number="2123456701",
                                       medicare_irn="3", suburb="Carlton"))
    again = service.edit(saved.patient.id, details_of(saved.patient.values))
    assert again.patient.values == saved.patient.values


def test_a_label_barcode_in_the_picture_finds_the_patient(login, tmp_path):
    import zxingcpp
    from PIL import Image

    service = PatientService(login("reception"))
    service.add(PatientDetails("Smith", "John", "12/03/1980", record_number="100001"))
    service.add(PatientDetails("Smith", "John", "30/01/1952", record_number="100002"))
    symbol = zxingcpp.create_barcode("MRN:100002", zxingcpp.BarcodeFormat.QRCode)
    view = memoryview(symbol.to_image(scale=5))
    photo = Image.new("L", (800, 600), 180)
    photo.paste(Image.frombytes("L", (view.shape[1], view.shape[0]), bytes(view)), (200, 150))
    picture = tmp_path / "IMG_0042.png"
    photo.save(picture)
    result = service.search_with_hints("john smith", filename=picture.name, image=picture)
    assert result.candidates[0].patient.record_number == "100002"
    assert result.candidates[0].reasons[0] == "record number matches"
    not_a_picture = tmp_path / "letter.jpg"
    not_a_picture.write_text("Dear Doctor")
    with pytest.raises(PatientError, match="label barcode"):
        service.search_with_hints("smith", image=not_a_picture)


def test_searches_from_several_threads_take_turns(login):
    from concurrent.futures import ThreadPoolExecutor

    service = PatientService(login("reception"))
    for number in range(30):
        service.add(PatientDetails(f"Family{number}", "Amy", "01/01/1990",
                                   record_number=str(number)))
    texts = [f"family{n % 30} am" for n in range(200)] + ["f", "fa", "fam"] * 20
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(service.search, texts))
    assert all(r.candidates for r in results)


def test_the_index_is_loaded_ahead_only_for_those_who_may_search(login):
    desk = PatientService(login("reception"))
    desk.add(PatientDetails("Taylor", "Jane", "02/04/1979", "F", "9"))
    desk_ahead = PatientService(login("reception"))
    desk_ahead.load_ahead()
    assert desk_ahead.holds_index
    assert [c.patient.family_name for c in desk_ahead.search("taylor jane").candidates] == \
        ["Taylor"]
    manager = PatientService(login("admin"))
    manager.load_ahead()
    assert not manager.holds_index
