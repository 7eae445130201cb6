"""The report and export verbs: what a person at the command line gets, and refusals."""

from __future__ import annotations

import io
import re

import pytest

from clinfile.app.cli.common import Console
from clinfile.app.cli.main import run
from tests.conftest import PASSWORDS
from tests.unit.app.reports.pdf_checks import page_texts, qpdf_check, require_tools


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def clinfile(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, Console(stdin=_Stdin(stdin), stdout=out, stderr=err))
    return code, out.getvalue(), err.getvalue()


def as_user(vault_path, user: str, verb: str, *rest: str) -> tuple[int, str, str]:
    return clinfile([*verb.split(), str(vault_path), *rest, "--user", user, "--password-stdin"],
                    PASSWORDS[user] + "\n")


def test_reception_prints_the_blank_form(vault_path, tmp_path):
    require_tools()
    code, out, err = as_user(vault_path, "reception", "report consent-form", "--blank",
                             "--out", str(tmp_path / "forms"))
    assert code == 0, err
    [form] = (tmp_path / "forms").iterdir()
    assert form.name == "consent-form_blank.pdf" and f"written to {form}" in out
    qpdf_check(form)
    assert "For publishing" in " ".join(page_texts(form))


def test_a_form_for_an_unknown_consent_is_a_usage_error(vault_path, tmp_path):
    code, _, err = as_user(vault_path, "reception", "report consent-form", "--consent",
                           "ZZZZ9999", "--out", str(tmp_path))
    assert code == 2 and "There is no consent ZZZZ9999" in err


def test_reception_may_not_export_images(vault_path, tmp_path):
    code, _, err = as_user(vault_path, "reception", "export", "--images", "1",
                           "--purpose", "clinical-care", "--recipient", "specialist",
                           "--format", "jpeg", "--out", str(tmp_path / "out"))
    assert code == 3 and "may not export and send images" in err


def test_an_unknown_purpose_is_a_usage_error(vault_path, tmp_path):
    code, _, err = as_user(vault_path, "clinician", "export", "--images", "1",
                           "--purpose", "holiday-slides", "--recipient", "public",
                           "--format", "jpeg", "--out", str(tmp_path / "out"))
    assert code == 2 and "is not a purpose" in err


def test_a_summary_with_nothing_filed_says_so(vault_path, tmp_path):
    code, _, err = as_user(vault_path, "reception", "report summary", "--images", "7",
                           "--out", str(tmp_path))
    assert code == 2 and "not filed to a patient yet" in err


def test_the_recovery_sheet_is_printed_only_for_the_vault_s_own_key(tmp_path):
    require_tools()
    vault = tmp_path / "vault"
    code, out, err = clinfile(["init", str(vault), "--admin", "boss", "--password-stdin"],
                              "a long admin password\n")
    assert code == 0, err
    key = re.search(r"^\s+([0-9A-Z-]{20,})\s*$", out, re.M).group(1)
    sheet = tmp_path / "recovery.pdf"
    code, out, err = clinfile(["report", "recovery", str(vault), "--out", str(sheet),
                               "--password-stdin"], key + "\n")
    assert code == 0, err
    qpdf_check(sheet)
    text = page_texts(sheet)[0]
    assert key.split("-")[0] in text and "Clinfile vault recovery sheet" in text

    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    code, _, _ = clinfile(["report", "recovery", str(vault), "--out", str(tmp_path / "x.pdf"),
                           "--password-stdin"], wrong + "\n")
    assert code != 0
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("verb", ["report summary", "export"])
def test_a_patient_or_images_must_be_named(vault_path, verb):
    code, _, _ = as_user(vault_path, "clinician", verb, "--out", "/tmp/x")
    assert code == 2


@pytest.mark.parametrize("file_format", ["jpeg", "pdf"])
def test_an_export_for_a_patient_with_a_runaway_surname_is_named_to_fit_the_disk(
        vault_path, corpus, tmp_path, file_format):
    from tests.ui.record_pictures import file_pictures

    surname = "Ó" + "a" * 9_999  # as a patient list once imported it
    _, [image] = file_pictures(vault_path, corpus, tmp_path, [(0, "left-forearm", "rash")],
                               patients=[("900001", surname, "Mai", "1990-06-05", "Footscray")])
    out = tmp_path / "out"
    for _ in range(2):
        code, _, err = as_user(vault_path, "clinician", "export", "--images", str(image),
                               "--purpose", "clinical-care", "--recipient", "treating-team",
                               "--format", file_format, "--out", str(out))
        assert code == 0, err

    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and names[0] != names[1]
    for name in names:
        assert len(name.encode()) <= 255
        assert name.startswith("OAAAAAAAAA") and "_Mai_19900605_" in name
        assert "_export-for-the-treating-team" in name


def test_an_export_to_a_full_disk_says_that_disk_is_full_not_the_vault_s(vault_path, corpus,
                                                                         tmp_path):
    from tests.ui.record_pictures import file_pictures
    from tests.unit.app.vault.test_full_disk import _fill, _mounted

    _, [image] = file_pictures(vault_path, corpus, tmp_path, [(0, "left-forearm", "rash")])
    for disk in _mounted(tmp_path / "usb stick", "1m"):
        _fill(disk)
        code, _, err = as_user(vault_path, "clinician", "export", "--images", str(image),
                               "--purpose", "clinical-care", "--recipient", "treating-team",
                               "--format", "pdf", "--out", str(disk))
        assert code != 0
        assert err.startswith("NGUYEN_Mai_19900605_") and (
            f"could not be written in {disk}: that disk is full. Nothing was saved.") in err
        assert "vault" not in err and [p.name for p in disk.iterdir()] == ["filler"]
