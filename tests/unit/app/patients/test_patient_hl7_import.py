from datetime import date

import pytest

from clinfile.app.patients.details import validate
from clinfile.app.patients.hl7_import import parse_message, read_hl7, split_messages
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource


def message(event: str, pid: str, control: str = "1") -> str:
    segments = [
        f"MSH|^~\\&|BP|CLINIC|CLINFILE|CLINIC|20260301101500||ADT^{event}^ADT_A01|{control}|P|2.4",
        "EVN|" + event + "|20260301101500",
        pid,
        "PV1|1|O",
    ]
    return "\r".join(segments) + "\r"


SMITH = ("PID|1||100001^^^CLINIC^MR~8003608166690503^^^AUSHIC^NI~21234567011^^^AUSHIC^MC"
         "~NX123456^^^AUSDVA^DVA||Smith^Jane^Anne^^Mrs^^L~Brown^Jane^^^^^M~^Janey^^^^^N||"
         "19800312|F|||Unit 2^14 High St^Carlton^VIC^3053^AUS||^PRN^PH^^^^^^^^^0412 345 678")


def test_a_registration_gives_every_detail(tmp_path):
    path = tmp_path / "adt.hl7"
    path.write_text(message("A04", SMITH), encoding="utf-8")
    [record] = list(read_hl7(path))
    d = record.details
    assert (d.family_name, d.given_names) == ("Smith", "Jane Anne")
    assert d.previous_names == ("Brown",) and d.preferred_name == "Janey"
    assert (d.record_number, d.ihi, d.dva_number) == ("100001", "8003608166690503", "NX123456")
    assert (d.address, d.suburb, d.state, d.postcode) == ("Unit 2, 14 High St", "Carlton",
                                                          "VIC", "3053")
    assert d.phone == "0412 345 678"
    values = validate(d, record.date_order).values
    assert values.birth_date == date(1980, 3, 12).isoformat() and values.sex == "female"
    assert (values.medicare_number, values.medicare_irn) == ("2123456701", "1")


def test_a_file_of_many_messages_with_unix_endings_and_mllp_framing(tmp_path):
    texts = [
        message("A04", "PID|1||100002^^^CLINIC^MR||O\\S\\Neil^Pat||19700101|M", "1"),
        message("A08", "PID|1||100002^^^CLINIC^MR||O'Neil^Patrick||19700101|M", "2"),
        message("A03", "PID|1||100002^^^CLINIC^MR||O'Neil^Patrick||19700101|M", "3"),
        message("A28", "PID|1||100003^^^CLINIC^MR||Lee^Ann||19650505|F", "4"),
        message("A31", "PID|1||100004^^^CLINIC^MR||||19650505|F", "5"),
    ]
    framed = "".join(f"\x0b{t}\x1c\r" for t in texts).replace("\r", "\n")
    path = tmp_path / "feed.txt"
    path.write_text(framed, encoding="utf-8")
    items = list(read_hl7(path))
    assert [type(i) for i in items] == [SourceRecord, SourceRecord, SourceProblem,
                                        SourceRecord, SourceProblem]
    assert items[0].details.family_name == "O^Neil"
    assert items[1].details.given_names == "Patrick"
    assert items[2].where == "message 3" and "ADT^A03" in items[2].why
    assert "no legal name" in items[4].why


def test_a_folder_of_messages_is_read_in_name_order(tmp_path):
    folder = tmp_path / "inbound"
    folder.mkdir()
    (folder / "002.hl7").write_text(message("A08", "PID|1||2^^^C^MR||Two^B||19900101|F"))
    (folder / "001.hl7").write_text(message("A04", "PID|1||1^^^C^MR||One^A||19900101|F"))
    (folder / "003.hl7").write_text("MSH|^~\\&|X|Y|Z|W|20260301||ORU^R01|9|P|2.4\rOBX|1\r")
    items = list(read_hl7(folder))
    assert [i.where for i in items] == ["message 1 in 001.hl7", "message 1 in 002.hl7",
                                        "message 1 in 003.hl7"]
    assert isinstance(items[2], SourceProblem)


def test_a_message_without_pid_is_reported(tmp_path):
    path = tmp_path / "nopid.hl7"
    path.write_text("MSH|^~\\&|A|B|C|D|20260301||ADT^A04|1|P|2.4\rEVN|A04\r")
    [item] = list(read_hl7(path))
    assert isinstance(item, SourceProblem) and "no PID" in item.why


def test_a_file_without_messages_is_refused(tmp_path):
    path = tmp_path / "empty.hl7"
    path.write_text("hello\n")
    with pytest.raises(UnreadableSource, match="no HL7 messages"):
        list(read_hl7(path))


def test_separators_are_taken_from_the_message(tmp_path):
    text = "MSH#*!@%#A#B#C#D#2026##ADT*A04#1#P#2.4\rPID#1##7*!*!*C*MR##Doe*Jo@Ann"
    parsed = parse_message(split_messages(text)[0])
    assert str(parsed.segment("PID")(5)) == "Doe*Jo@Ann"
    path = tmp_path / "odd.hl7"
    path.write_text(text)
    [record] = read_hl7(path)
    assert (record.details.family_name, record.details.given_names) == ("Doe", "Jo@Ann")
