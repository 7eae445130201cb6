import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clinfile.app.vault.errors import AuthenticationFailed
from clinfile.app.vault.vault import Vault
from clinfile.app.vault.verify import verify_vault
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.unit.app.cli.calling import call


@pytest.fixture
def filled_vault(vault_path: Path) -> Path:
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    vault.blobs.put_bytes(os.urandom(300_000))
    vault.blobs.put_bytes(b"small blob")
    vault.lock()
    return vault_path


def _verify(vault_path: Path) -> int:
    code, _, _ = call(["verify", str(vault_path), "--user", ADMIN, "--password-stdin"],
                      ADMIN_PASSWORD)
    return code


def test_a_sound_vault_verifies(filled_vault):
    assert _verify(filled_vault) == 0


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.slow
@pytest.mark.parametrize("where", [0.0, 0.001, 0.37, 0.5, 0.83, 0.999])
def test_a_single_flipped_byte_anywhere_is_found(filled_vault, tmp_path, where):
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(filled_vault, "reception", "a wrong password")
    names = [p.relative_to(filled_vault) for p in _files(filled_vault)]
    assert Path("login-failures.log") in names
    for name in names:
        copy = tmp_path / f"copy-{where}-{name.name}"
        shutil.copytree(filled_vault, copy)
        target = copy / name
        damaged = bytearray(target.read_bytes())
        position = min(int(len(damaged) * where), len(damaged) - 1)
        damaged[position] ^= 0x01
        target.write_bytes(bytes(damaged))
        assert _verify(copy) == 1, f"flipped byte {position} of {name} was not found"


def test_truncated_audit_trail_is_found(filled_vault):
    vault, _ = Vault.unlock(filled_vault, ADMIN, ADMIN_PASSWORD)
    with vault.index() as conn:
        conn.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    report = verify_vault(vault)
    assert any("cut short" in p for p in report.problems)


def test_edited_audit_row_is_found(filled_vault):
    vault, _ = Vault.unlock(filled_vault, ADMIN, ADMIN_PASSWORD)
    with vault.index() as conn:
        conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 2")
    report = verify_vault(vault)
    assert any("row 2 was changed" in p for p in report.problems)


def test_stray_files_are_reported(filled_vault):
    (filled_vault / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    vault, _ = Vault.unlock(filled_vault, ADMIN, ADMIN_PASSWORD)
    assert verify_vault(vault).problems == ["unexpected file in the vault: photo.jpg"]


def test_a_head_write_killed_before_its_rename_is_not_damage(filled_vault):
    (filled_vault / ".audit-head.json.x7q2k1.partial").write_bytes(b'{"seq": 3')
    vault, _ = Vault.unlock(filled_vault, ADMIN, ADMIN_PASSWORD)
    assert verify_vault(vault).problems == []


def test_verify_needs_an_admin(filled_vault):
    from tests.conftest import PASSWORDS

    code, _, err = call(["verify", str(filled_vault), "--user", "reception", "--password-stdin"],
                        PASSWORDS["reception"])
    assert code == 3 and "may not verify" in err


def _photos(folder: Path, count: int) -> Path:
    """Write small real JPEG photos, each different, into a new folder."""
    from PIL import Image

    folder.mkdir()
    for n in range(count):
        Image.new("RGB", (64, 48), (40 * n, 90, 200)).save(folder / f"photo-{n}.jpg")
    return folder


@pytest.fixture
def photos_of_mai(vault_path, login, tmp_path) -> list[int]:
    """Two photos imported with the real verb, one of them filed to Mai Nguyen."""
    from clinfile.app.consent.vocabulary import ImageKind
    from clinfile.app.filing.body_sites import BodySite
    from clinfile.app.filing.model import FilingRequest
    from clinfile.app.filing.service import FilingService
    from clinfile.db.connection import transaction
    from clinfile.db.patients import PatientRepository, PatientValues
    from tests.unit.app.cli.calling import as_user

    with login().vault.index() as conn, transaction(conn):
        patient = PatientRepository(conn).add(PatientValues(
            record_number="MN1990", family_name="Nguyen", given_names="Mai",
            birth_date="1990-06-05"), "2026-03-12T08:00:00+00:00").id
    code, out, err = as_user(vault_path, "reception", "import",
                             str(_photos(tmp_path / "drop", 2)), "--json")
    assert code == 0, err
    items = sorted(item["item_id"] for item in json.loads(out)["imported"])
    FilingService(login("reception")).file(FilingRequest(
        image_ids=(items[0],), patient_id=patient, kind=ImageKind.PATIENT_SENT,
        body_site=BodySite.parse("left-ankle"), description="rash",
        episode_description="rash"))
    return items


def _report(vault_path: Path) -> tuple[int, list[str]]:
    code, out, _ = call(["verify", str(vault_path), "--user", ADMIN, "--password-stdin",
                         "--json"], ADMIN_PASSWORD)
    return code, json.loads(out)["problems"]


def test_a_deleted_image_store_is_named_by_picture_and_patient(vault_path, photos_of_mai):
    for shard in (vault_path / "blobs").glob("*.db"):
        shard.unlink()

    code, problems = _report(vault_path)

    filed, unfiled = photos_of_mai
    assert code == 1
    assert f"image {filed} (Mai Nguyen): its original is missing from the image store" in problems
    assert f"image {unfiled} (not yet filed): its thumbnail is missing from the image store" \
        in problems


def test_a_lost_signed_consent_form_is_named_by_its_consent_and_patient(
        vault_path, login, photos_of_mai):
    from datetime import date

    from clinfile.app.consent.model import Disclosure
    from clinfile.app.consent.service import ConsentRequest, ConsentService
    from clinfile.app.consent.vocabulary import Method, Purpose, Recipient, RecipientClass
    from clinfile.db.patients import PatientRepository

    clinician = login("clinician")
    with clinician.vault.index() as conn:
        mai = PatientRepository(conn).by_record_number("MN1990").id
    consent = ConsentService(clinician).record(ConsentRequest(
        patient_id=mai, method=Method.WRITTEN, purposes=frozenset({Purpose.EDUCATION}),
        recipients=(Recipient(group=RecipientClass.STUDENTS),), obtained_by="clinician",
        obtained_on=date.today(), disclosure=Disclosure(True, True, True)))
    scan = clinician.vault.blobs.put_bytes(b"the signed form, photographed",
                                           when=datetime(2019, 5, 1, tzinfo=UTC)).id
    ConsentService(login("reception")).attach_signed_form(consent.code, scan)
    clinician.vault.blobs.shard_path_of(scan).unlink()

    code, problems = _report(vault_path)

    assert code == 1
    assert problems == [f"signed form of consent {consent.code} (Mai Nguyen) is missing "
                        "from the image store"]


def test_a_sound_vault_with_pictures_verifies(vault_path, photos_of_mai):
    assert _report(vault_path) == (0, [])


def test_a_deleted_audit_head_is_found_and_not_written_anew(vault_path):
    (vault_path / "audit-head.json").unlink()

    code, problems = _report(vault_path)

    assert code == 1
    assert "audit-head.json, is missing" in problems[0]
    assert not (vault_path / "audit-head.json").exists()


def _forge_first_note(path: Path) -> int:
    """Edit the first failed-login note and recompute a plain SHA-256 over it."""
    import hashlib

    lines = path.read_text().split("\n")
    number = next(n for n, line in enumerate(lines) if "wrong password" in line)
    body, _, _ = lines[number].rpartition("\t")
    forged = body.replace("wrong password", "account disabled")
    lines[number] = f"{forged}\t{hashlib.sha256(forged.encode()).hexdigest()}"
    path.write_text("\n".join(lines))
    return number + 1


def test_an_edited_login_note_with_its_hash_recomputed_is_found_and_not_filed(vault_path):
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(vault_path, "reception", "a wrong password")
    line = _forge_first_note(vault_path / "login-failures.log")

    code, problems = _report(vault_path)

    assert code == 1
    assert f"login-failures.log line {line} is damaged or was edited" in problems
    vault, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    with vault.index() as conn:
        filed = conn.execute("SELECT detail FROM audit WHERE action = 'login.failed'").fetchall()
    assert filed == []


def test_a_deleted_login_notes_file_is_found(vault_path):
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(vault_path, "reception", "a wrong password")
    (vault_path / "login-failures.log").unlink()

    code, problems = _report(vault_path)

    assert code == 1
    assert any(p.startswith("login-failures.log was deleted or replaced") for p in problems)


def test_temporary_files_of_killed_writers_are_not_problems_and_are_swept(vault_path):
    import time

    abandoned = vault_path / ".audit-head.json.k1ll3d.partial"
    abandoned.write_text('{"seq": 3')
    an_hour_ago = time.time() - 3600
    os.utime(abandoned, (an_hour_ago, an_hour_ago))
    in_progress = vault_path / ".keyslots.json.wr1t1n.partial"
    in_progress.write_text("{")

    assert _report(vault_path) == (0, [])
    assert not abandoned.exists()
    assert in_progress.exists()


def test_bytes_of_deleted_pictures_put_back_with_an_older_image_store_are_found(
        vault_path, login, photos_of_mai, tmp_path):
    from datetime import date

    from clinfile.app.filing.retention import RetentionService

    filed, _ = photos_of_mai
    shard = next((vault_path / "blobs").glob("*.db"))
    old_copy = tmp_path / "old-copy.db"
    shutil.copy2(shard, old_copy)
    RetentionService(login("admin")).delete([filed], "retention period ended",
                                            today=date(2060, 1, 1))
    assert _report(vault_path) == (0, [])
    shutil.copy2(old_copy, shard)

    code, out, _ = call(["verify", str(vault_path), "--user", ADMIN, "--password-stdin"],
                        ADMIN_PASSWORD)

    assert code == 1
    assert "All checks passed" not in out
    assert (f"The bytes of 1 picture deleted at the end of their retention are in the vault "
            f"again (image {filed}, in {shard.name})") in out
    assert "Put back the copy of that file from a backup made after the deletion" in out
