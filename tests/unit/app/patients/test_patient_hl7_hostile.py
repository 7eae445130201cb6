"""HL7 files as interfaces and people really leave them: every one read, or refused in words."""

import random

import pytest

from clinfile.app.patients import hl7_import
from clinfile.app.patients.details import InvalidPatient, validate
from clinfile.app.patients.hl7_import import read_hl7
from clinfile.app.patients.sources import SourceProblem, SourceRecord, UnreadableSource

MSH = "MSH|^~\\&|BP|CLINIC|CLINFILE|CLINIC|20260301101500||ADT^A04^ADT_A01|{n}|P|2.4"
PID = ("PID|1||100001^^^CLINIC^MR~8003608166690503^^^AUSHIC^NI~21234567011^^^AUSHIC^MC"
       "~NX123456^^^AUSDVA^DVA||{name}||19800312|F|||14 High St^^Carlton^VIC^3053")


def adt(name="Smith^Jane^^^^^L", n=1, pid=PID, extra=()):
    return [MSH.format(n=n), "EVN|A04|20260301101500", pid.format(name=name), *extra, "PV1|1|O"]


def read(tmp_path, content, name="adt.hl7"):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return list(read_hl7(path))


def only_record(tmp_path, segments, end="\r"):
    [item] = read(tmp_path, end.join(segments) + end)
    assert isinstance(item, SourceRecord), item
    return item.details


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n", "\n\r"])
def test_every_segment_ending_reads_the_same(tmp_path, end):
    d = only_record(tmp_path, adt(), end)
    assert (d.family_name, d.given_names, d.suburb, d.record_number) == (
        "Smith", "Jane", "Carlton", "100001")


def test_mixed_endings_and_blank_lines_in_one_file(tmp_path):
    text = "\r\n".join(adt(n=1)) + "\n\n\r\r" + "\n".join(adt("Jones^Bo", n=2)) + "\r\n"
    items = read(tmp_path, text)
    assert [i.details.family_name for i in items] == ["Smith", "Jones"]


@pytest.mark.parametrize("escaped, plain", [
    ("O\\F\\Brien", "O|Brien"), ("Smith\\S\\Jones", "Smith^Jones"),
    ("Smith\\T\\Jones", "Smith&Jones"), ("Smith\\R\\Jones", "Smith~Jones"),
    ("Back\\E\\slash", "Back\\slash"), ("\\H\\Smith\\N\\", "Smith"),
    ("\\X4F\\Neil", "ONeil"), ("Smith\\X00\\", "Smith"), ("Smith\\.br\\Jones", "Smith Jones"),
    ("Smith\\", "Smith\\"),
])
def test_escape_sequences_become_their_characters(tmp_path, escaped, plain):
    d = only_record(tmp_path, adt(f"{escaped}^Jane"))
    assert d.family_name == plain


def test_a_malformed_escape_is_refused_in_words_and_nothing_is_logged(tmp_path, capfd, caplog):
    [item] = read(tmp_path, "\r".join(adt("Sm\\.spx\\ith^Jane\\Q\\\\\\")))
    assert isinstance(item, SourceProblem)
    assert item.why == "it has an escape sequence that cannot be read"
    out, err = capfd.readouterr()
    assert "Sm" not in out + err and "Traceback" not in err
    assert not [r for r in caplog.records if "Jane" in r.getMessage()]


def test_repetitions_and_empty_ones(tmp_path):
    pid = ("PID|1||~^^^X^MR~~200002^^^CLINIC^MR~300003^^^CLINIC^MR~8003608166690503||{name}"
           "||19800312|F")
    d = only_record(tmp_path, adt("~~Brown^Ann^^^^^M~Smith^Jane^Mary^^^^L~^Janey^^^^^N", pid=pid))
    assert (d.family_name, d.given_names) == ("Smith", "Jane Mary")
    assert d.previous_names == ("Brown",) and d.preferred_name == "Janey"
    assert d.record_number == "200002"  # the first MR with a number
    assert d.ihi == "8003608166690503"  # untyped, known by the IHI prefix


def test_empty_components_give_empty_details_not_errors(tmp_path):
    pid = "PID|1||^^^^MR~^^^^MC||{name}||19800312|||||^^^^^^^^^^^"
    d = only_record(tmp_path, adt("Smith^^^^^^L", pid=pid))
    assert (d.family_name, d.given_names, d.record_number, d.medicare_number, d.phone) == (
        "Smith", "", "", "", "")
    nameless = only_record(tmp_path, adt("^Jane"))
    with pytest.raises(InvalidPatient, match="no surname"):
        validate(nameless)


def test_australian_identifiers_by_type_code(tmp_path):
    pid = ("PID|1||21234567011^^^AUSHIC^mc~QX901533^^^AUSDVA^DVG~100001^^^CLINIC^MR"
           "~100009^^^CLINIC^MR~8003608166690503^^^AUSHIC^NI||{name}||19800312|F")
    d = only_record(tmp_path, adt(pid=pid))
    assert (d.medicare_number, d.dva_number, d.record_number, d.ihi) == (
        "21234567011", "QX901533", "100001", "8003608166690503")
    values = validate(d, "YMD").values
    assert (values.medicare_number, values.medicare_irn) == ("2123456701", "1")


def test_non_ascii_names_in_utf_8_with_a_bom_and_in_a_windows_code_page(tmp_path):
    text = "\r".join(adt("Nguyễn^Thị Mai") + adt("Müller^Zoë", n=2)) + "\r"
    items = read(tmp_path, "\ufeff" + text)
    assert [(i.details.family_name, i.details.given_names) for i in items] == [
        ("Nguyễn", "Thị Mai"), ("Müller", "Zoë")]
    legacy = "\r".join(adt("Müller^Zoë")) + "\r"
    [item] = read(tmp_path, legacy.encode("cp1252"), "legacy.hl7")
    assert (item.details.family_name, item.details.given_names) == ("Müller", "Zoë")


def test_a_message_with_two_pids_is_refused(tmp_path):
    extra = [PID.format(name="Jones^Bo")]
    [item] = read(tmp_path, "\r".join(adt(extra=extra)))
    assert isinstance(item, SourceProblem)
    assert item.why == "it has 2 PID segments, so which patient it is about is not clear; skipped"


def test_a_huge_message_is_refused_and_the_next_one_read(tmp_path):
    huge = adt(extra=[f"NTE|1||{'x' * (hl7_import.MAX_MESSAGE_CHARS + 1)}"])
    items = read(tmp_path, "\r".join(huge + adt("Jones^Bo", n=2)))
    assert isinstance(items[0], SourceProblem) and "far more than a patient" in items[0].why
    assert items[1].details.family_name == "Jones"


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.hl7"
    with open(path, "wb") as handle:
        handle.truncate(hl7_import.MAX_FILE_BYTES + 1)
    with pytest.raises(UnreadableSource, match="far too large to be a list of patients"):
        list(read_hl7(path))


@pytest.mark.parametrize("msh, why", [
    ("MSH|^^\\&|A|B", "does not declare its separators"),
    ("MSH|^~|A|B", "does not declare its separators"),
    ("MSHA^~\\&A|B", "does not declare its separators"),
    ("MSH ^~\\& A", "does not declare its separators"),
    ("MSH|", "does not declare its separators"),
    ("MSH", "does not declare its separators"),
    ("MSH|^~\\&", "it is of no type"),
])
def test_broken_separators_are_refused(tmp_path, msh, why):
    [item] = read(tmp_path, msh + "\rPID|1||1^^^C^MR||Smith^Jane")
    assert isinstance(item, SourceProblem) and why in item.why


def test_binary_junk_is_refused_in_words(tmp_path):
    junk = random.Random(1).randbytes(64 * 1024).replace(b"MSH", b"XXX")
    with pytest.raises(UnreadableSource, match="no HL7 messages"):
        read(tmp_path, junk, "photo.hl7")


def test_junk_after_an_msh_never_raises(tmp_path, capfd):
    """Random damage to good messages: each is read or refused, and nothing is printed."""
    good = "\r".join(adt()) + "\r"
    alphabet = "|^~\\&\r\n\x00\x0b\x1cMSHPID.X0Fé "
    rng = random.Random(15)
    for trial in range(300):
        text = list(good)
        for _ in range(rng.randint(1, 12)):
            spot = rng.randrange(len(text))
            if rng.random() < 0.5:
                text[spot] = rng.choice(alphabet)
            else:
                del text[spot]
        try:
            items = read(tmp_path, "".join(text), f"damaged-{trial}.hl7")
        except UnreadableSource:
            continue
        assert all(isinstance(i, SourceRecord | SourceProblem) for i in items)
    out, err = capfd.readouterr()
    assert out + err == ""
