"""A real picture, really exported: the export a wrongly-sent report is about."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.app.security.session import Session
from clinfile.db.audit import AuditRepository
from clinfile.db.connection import transaction
from clinfile.db.patients import PatientRepository, PatientValues
from tests.conftest import PASSWORDS
from tests.unit.app.cli.calling import as_user


def export_a_picture(vault_path: Path, corpus: Path, tmp_path: Path,
                     family_name: str = "Nguyen") -> tuple[int, int]:
    """Import a camera photo, file it to Mai Nguyen on spoken consent, export it for her care.

    ``family_name`` gives her another surname.

    Returns the patient's id and the audit entry of the export.
    """
    admin = Session.login(vault_path, "admin", PASSWORDS["admin"])
    with admin.vault.index() as conn, transaction(conn):
        patient = PatientRepository(conn).add(PatientValues(
            record_number="MN1990", family_name=family_name, given_names="Mai",
            birth_date="1990-06-05"), "2026-03-12T08:00:00+00:00").id
    admin.lock()
    drop = tmp_path / "drop-for-export"
    drop.mkdir()
    photo = sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[0]
    shutil.copy(photo, drop / "leg.jpg")
    code, out, err = as_user(vault_path, "reception", "import", str(drop), "--json")
    assert code == 0, err
    items = [item["item_id"] for item in json.loads(out)["imported"]]
    clinician = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    care = ConsentService(clinician).record(ConsentRequest(
        patient_id=patient, method=Method.VERBAL, purposes=frozenset({Purpose.CLINICAL_CARE}),
        recipients=(Recipient(group=RecipientClass.TREATING_TEAM),), obtained_by="clinician",
        obtained_on=date.today(), disclosure=Disclosure(True, True, True)))
    FilingService(clinician).file(FilingRequest(
        image_ids=tuple(items), patient_id=patient, kind=ImageKind.CLINICAL_PHOTO,
        body_site=BodySite.parse("left-lower-leg"), description="leg ulcer",
        consent=care.code, episode_description="leg ulcer"))
    clinician.lock()
    code, _, err = as_user(vault_path, "clinician", "export", "--patient", "MN1990",
                           "--purpose", "clinical-care", "--recipient", "treating-team",
                           "--format", "pdf", "--out", str(tmp_path / "sent"))
    assert code == 0, err
    admin = Session.login(vault_path, "admin", PASSWORDS["admin"])
    with admin.vault.index() as conn:
        seq = max(r.seq for r in AuditRepository(conn).rows() if r.action == "images.exported")
    admin.lock()
    return patient, seq
