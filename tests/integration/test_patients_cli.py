"""The ``clinfile patients`` verbs end to end: real vault, real files, in-process CLI."""

import json

from tests.conftest import PASSWORDS
from tests.unit.app.cli.calling import call as run_cli


def call(argv, user="reception"):
    return run_cli([*argv, "--user", user, "--password-stdin"], PASSWORDS[user])


def test_import_a_csv_then_search_it(vault_path, tmp_path):
    export = tmp_path / "export.csv"
    export.write_bytes(("\ufeffSurname,First Name,DOB,Suburb,Record No\r\n"
                        "Smith,John,12/03/1980,Carlton,100001\r\n"
                        "Smith,John,30/01/1952,Geelong,100002\r\n"
                        "Nguyen,Mai,05/06/1990,Footscray,100003\r\n"
                        ",Nobody,01/01/2000,,100004\r\n").encode())
    code, out, err = call(["patients", "import", str(vault_path), str(export)])
    assert code == 1
    assert "3 added, 0 updated, 0 unchanged" in out
    assert "line 5: no surname" in err

    code, out, _ = call(["patients", "search", str(vault_path), "nguy mai 5/6/90"])
    assert code == 0
    first = out.splitlines()[0]
    assert "NGUYEN, Mai" in first and "record 100003" in first
    assert "surname starts with “Nguy” (Nguyen); first name matches; date of birth matches" in out

    code, out, _ = call(["patients", "search", str(vault_path), "john smith", "--json"])
    result = json.loads(out)
    assert result["needs_explicit_choice"] is True
    assert [c["distinguishing"] for c in result["candidates"]] == [
        "born 12/03/1980; lives in Carlton; record 100001",
        "born 30/01/1952; lives in Geelong; record 100002"]
    code, out, _ = call(["patients", "search", str(vault_path), "john smith"])
    assert out.startswith("Careful: ")


def test_import_hl7_folder_and_fhir_bundle(vault_path, tmp_path):
    folder = tmp_path / "adt"
    folder.mkdir()
    (folder / "1.hl7").write_text(
        "MSH|^~\\&|BP|C|CF|C|20260301||ADT^A04|1|P|2.4\r"
        "PID|1||555^^^C^MR||Lee^Ann||19650505|F\r", encoding="utf-8")
    code, out, _ = call(["patients", "import", str(vault_path), str(folder), "--json"])
    assert code == 0 and json.loads(out)["added"] == 1

    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "name": [{"family": "Kim", "given": ["Bo"]}],
                      "birthDate": "1960-05-04",
                      "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "556"}]}},
    ]}), encoding="utf-8")
    code, out, _ = call(["patients", "import", str(vault_path), str(bundle),
                         "--format", "fhir"])
    assert code == 0 and "1 added" in out
    code, out, _ = call(["patients", "search", str(vault_path), "556", "--json"])
    assert json.loads(out)["candidates"][0]["reasons"] == ["record number matches"]


def test_a_mapping_file_is_used_and_saved_for_next_time(vault_path, tmp_path):
    mapping = tmp_path / "old-system.json"
    mapping.write_text(json.dumps({"columns": {"family_name": "FAM", "given_names": "GIV",
                                               "birth_date": "BORN"},
                                   "date_order": "YMD"}), encoding="utf-8")
    export = tmp_path / "old.csv"
    export.write_text("FAM,GIV,BORN\nSmith,Ann,1980-03-12\n", encoding="utf-8")
    code, out, _ = call(["patients", "import", str(vault_path), str(export),
                         "--mapping", str(mapping)])
    assert code == 0 and "1 added" in out
    export.write_text("FAM,GIV,BORN\nSmith,Ann,1980-03-12\nJones,Bo,1970-01-02\n",
                      encoding="utf-8")
    code, out, _ = call(["patients", "import", str(vault_path), str(export),
                         "--mapping", "old-system"])
    assert code == 0 and "1 added, 0 updated, 1 unchanged" in out


def test_roles_and_mistakes_get_the_right_exit_codes(vault_path, tmp_path):
    code, _, err = call(["patients", "search", str(vault_path), "smith"], user="admin")
    assert code == 3 and "may not search patients" in err
    code, _, err = call(["patients", "import", str(vault_path), str(tmp_path / "none.csv")])
    assert code == 2 and "no file or folder" in err
    code, _, err = call(["patients", "import", str(vault_path), str(tmp_path),
                         "--mapping", "nope", "--format", "csv"])
    assert code == 2 and "no column mapping called nope" in err
