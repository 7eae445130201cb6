"""An open session's patient search follows patients renamed and added by another process,
read-only vault included."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from clinfile.app.patients.details import PatientDetails, validate
from clinfile.app.patients.service import PatientService
from clinfile.db.connection import transaction
from clinfile.db.patients import PatientRepository
from tests.conftest import PASSWORDS
from tests.integration import read_only_search
from tests.unit.app.cli.calling import call

REPOSITORY = Path(__file__).resolve().parents[2]
HEADER = "Record Number,Surname,First Name,DOB,Sex\n"


def _clinfile() -> list[str]:
    clinfile = Path(sys.executable).with_name("clinfile")
    return [str(clinfile)] if clinfile.exists() else [
        sys.executable, "-c", "from clinfile.ui.launcher import main; main()"]


def _import_in_another_process(vault_path: Path, csv: Path) -> None:
    done = subprocess.run(
        [*_clinfile(), "patients", "import", str(vault_path), str(csv),
         "--user", "admin", "--password-stdin"],
        input=PASSWORDS["admin"] + "\n", capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def _top(service: PatientService, typed: str) -> list[tuple[str, str, str]]:
    return [(c.patient.record_number, c.display_name, "; ".join(c.reasons))
            for c in service.search(typed, limit=5).candidates]


@pytest.mark.slow
@pytest.mark.parametrize("loaded", [False, True], ids=["stored", "loaded"])
def test_a_patient_renamed_by_another_process_is_found_by_the_new_name_only(
        login, vault_path, tmp_path, loaded):
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "R00001,Smith,John,01/02/1980,M\n"
                     "R00002,Smyth,Joan,01/02/1980,F\n", encoding="utf-8")
    assert call(["patients", "import", str(vault_path), str(first), "--user", "admin",
                 "--password-stdin"], PASSWORDS["admin"])[0] == 0
    service = PatientService(login("reception"))
    if loaded:
        service.index()
    assert _top(service, "smith john 1/2/1980")[0][0] == "R00001"

    renamed = tmp_path / "renamed.csv"
    renamed.write_text(HEADER + "R00001,Quark,Zebedee,01/02/1980,F\n"
                       "R09999,Smith,John,01/02/1980,M\n", encoding="utf-8")
    _import_in_another_process(vault_path, renamed)

    after = _top(service, "smith john 1/2/1980")
    assert after[0][:2] == ("R09999", "SMITH, John")
    assert all(record != "R00001" or "surname matches" not in reasons
               for record, _, reasons in after)
    found = _top(service, "quark zebedee")
    assert found[0][:2] == ("R00001", "QUARK, Zebedee")
    assert found[0][2].startswith("surname matches; first name matches")
    fresh = PatientService(login("reception"))
    assert _top(fresh, "smith john 1/2/1980") == after
    assert _top(fresh, "quark zebedee") == found


@pytest.mark.slow
def test_a_read_only_vault_is_searched_with_patients_changed_elsewhere(login, vault_path):
    service = PatientService(login("reception"))
    saved = service.add(PatientDetails("Okonkwo", "Adaeze", "03/04/1975"))
    with login("admin").vault.index() as conn, transaction(conn):
        patients = PatientRepository(conn)
        patients.update(saved.patient.id, validate(
            PatientDetails("Eze", "Adaeze", "03/04/1975")).values, "2026-01-01T00:00:00+00:00")
        patients.add(validate(PatientDetails("Nwosu", "Chidi", "12/11/1960")).values,
                     "2026-01-01T00:00:00+00:00")
    try:
        done = subprocess.run(
            read_only_search.command(vault_path, "reception",
                                     ["eze adaeze", "nwosu chidi", "okonkwo"]),
            input=PASSWORDS["reception"] + "\n", capture_output=True, text=True, timeout=300,
            cwd=REPOSITORY)
    finally:
        for path in [vault_path, *vault_path.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert done.returncode == 0, done.stderr
    (refused, index_digest), *answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert refused
    assert answers[0][0] == "EZE, Adaeze"
    assert answers[1][0] == "NWOSU, Chidi"
    assert "OKONKWO, Adaeze" not in answers[2]
    assert hashlib.sha256((vault_path / "index.db").read_bytes()).hexdigest() == index_digest
