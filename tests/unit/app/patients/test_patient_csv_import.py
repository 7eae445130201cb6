import pytest

from clinfile.app.patients.csv_import import PRESETS, ColumnMapping, read_csv
from clinfile.app.patients.dates import DateOrder
from clinfile.app.patients.details import InvalidPatient, validate
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource

HEADER = ("Record No,Surname,First Name,DOB,Sex,Address,Suburb,State,Postcode,Phone,"
          "Medicare No,IRN,IHI")


def write(tmp_path, text: str, *, encoding="utf-8", name="patients.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def records(path, mapping=PRESETS["australian"]):
    items = list(read_csv(path, mapping))
    return ([i for i in items if isinstance(i, SourceRecord)],
            [i for i in items if isinstance(i, SourceProblem)])


def test_a_messy_excel_export_is_read(tmp_path):
    text = "\ufeff" + "\r\n".join([
        HEADER,
        '100001,Smith,John,12/03/1980,M,"Unit 2, 14 High St",Carlton,VIC,3053,0412 345 678,'
        '2123456701,1,8003608166690503',
        "",
        '100002,"O\'Brien","Mary-Anne",5/6/1990,F,"7 Beach Rd, ""The Cottage""",Manly,NSW,2095,'
        ",,,",
        "   ",
        "100003,Nguyễn,Mai,01/02/2003,F",
        "",
    ])
    found, problems = records(write(tmp_path, text))
    assert problems == []
    assert [r.where for r in found] == ["line 2", "line 4", "line 6"]
    smith = found[0].details
    assert (smith.family_name, smith.given_names, smith.birth_date) == ("Smith", "John",
                                                                         "12/03/1980")
    assert smith.address == "Unit 2, 14 High St" and smith.suburb == "Carlton"
    assert smith.medicare_number == "2123456701" and smith.ihi == "8003608166690503"
    assert found[1].details.address == '7 Beach Rd, "The Cottage"'
    assert found[2].details.family_name == "Nguyễn" and found[2].details.suburb == ""
    assert validate(found[1].details, found[1].date_order).values.birth_date == "1990-06-05"


def test_rows_that_cannot_be_read_are_reported_by_line_with_why(tmp_path):
    text = "\n".join([
        "Surname,First Name,DOB",
        "Smith,John,12/03/1980",
        "Brown,Unquoted, comma,01/01/1970",
        ",Nobody,01/01/2000",
        "Jones,Amy,31/02/1980",
        "Lee,Ann,03/12/2091",
    ])
    found, problems = records(write(tmp_path, text))
    assert [p.where for p in problems] == ["line 3"]
    assert "comma" in problems[0].why
    reasons = {}
    for record in found:
        try:
            validate(record.details, record.date_order)
        except InvalidPatient as exc:
            reasons[record.where] = str(exc)
    assert reasons == {"line 4": "no surname",
                       "line 5": "“31/02/1980” is not a real date",
                       "line 6": "date of birth “03/12/2091” is in the future"}


def test_a_quoted_field_over_two_lines_keeps_line_numbers_right(tmp_path):
    text = 'Surname,First Name,Address\nSmith,John,"1 High St\nCarlton"\nBrown,Amy,2 Low St\n'
    found, _ = records(write(tmp_path, text))
    assert [r.where for r in found] == ["line 2", "line 4"]
    assert found[0].details.address == "1 High St\nCarlton"


def test_iso_preset_reads_iso_dates(tmp_path):
    path = write(tmp_path, "surname,given names,date of birth\nSmith,John,1980-03-12\n")
    found, _ = records(path, PRESETS["iso"])
    assert validate(found[0].details, found[0].date_order).values.birth_date == "1980-03-12"
    assert found[0].date_order is DateOrder.YEAR_FIRST


def test_a_mapping_names_unusual_headings(tmp_path):
    path = write(tmp_path, "PT_CODE;FAM;GIV;BORN\nA17;Smith;John;03/12/1980\n")
    mapping = ColumnMapping({"record_number": "PT_CODE", "family_name": "FAM",
                             "given_names": "GIV", "birth_date": "BORN"},
                            DateOrder.MONTH_FIRST, "old system")
    found, _ = records(path, mapping)
    details = found[0].details
    assert (details.record_number, details.family_name) == ("A17", "Smith")
    assert validate(details, found[0].date_order).values.birth_date == "1980-03-12"
    assert ColumnMapping.from_dict(mapping.as_dict()) == mapping


def test_a_file_without_a_surname_column_is_refused_with_its_columns(tmp_path):
    path = write(tmp_path, "Name,DOB\nJohn Smith,12/03/1980\n")
    with pytest.raises(UnreadableSource, match="no column for the surname.*Name, DOB"):
        list(read_csv(path))


def test_a_mapping_naming_a_missing_column_is_refused(tmp_path):
    path = write(tmp_path, "Surname,DOB\nSmith,12/03/1980\n")
    mapping = ColumnMapping({"medicare_number": "Medicare Card"})
    with pytest.raises(UnreadableSource, match="Medicare Card"):
        list(read_csv(path, mapping))


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(UnreadableSource, match="empty"):
        list(read_csv(write(tmp_path, "\r\n\r\n")))


def test_windows_1252_exports_are_read(tmp_path):
    path = write(tmp_path, "Surname,First Name\nCl\u00e9ment,Ren\u00e9e\n", encoding="cp1252")
    found, _ = records(path)
    assert found[0].details.family_name == "Clément"


def test_tab_separated_exports_are_read(tmp_path):
    path = write(tmp_path, "Surname\tFirst Name\tDOB\nSmith\tJohn\t12/03/1980\n")
    found, _ = records(path)
    assert found[0].details.given_names == "John"


def test_previous_surnames_are_split(tmp_path):
    path = write(tmp_path, "Surname,First Name,Maiden Name\nSmith,Jane,Brown; Green\n")
    found, _ = records(path)
    assert found[0].details.previous_names == ("Brown", "Green")
    assert validate(found[0].details).values.previous_names == "Brown; Green"
    assert validate(found[0].details).values.birth_date is None
