"""Every place patient data is written refuses a link into a cloud-sync folder.

The vault, a backup, an export, the outbox and the drop folder are each
given a folder that looks local but is a symbolic link into a folder named
like Dropbox's (with no marker file, so only following the link can
tell). Each must be refused, naming where the link leads. (Which names and markers
betray which client is tested in ``tests/unit/app/security/test_locations.py``.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clinfile.app.consent.vocabulary import ImageKind, Purpose, Recipient, RecipientClass
from clinfile.app.custody.locations import CloudFolderRefused
from clinfile.app.desk.first_run import check_vault_folder, check_working_folder
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.app.ingest.events import CancelToken
from clinfile.app.ingest.service import ImportService
from clinfile.app.reports.service import ReportService, Selection
from clinfile.app.settings import SettingError, SettingsService
from clinfile.app.vault.backup import backup_vault
from clinfile.app.vault.vault import Vault
from tests.unit.app.consent import vault_rows


@pytest.fixture
def linked(tmp_path) -> Path:
    """A folder that looks local ("practice") but links into a Dropbox folder."""
    synced = tmp_path / "home" / "Dropbox" / "clinic"
    synced.mkdir(parents=True)
    link = tmp_path / "practice"
    link.symlink_to(synced, target_is_directory=True)
    return link


@pytest.fixture
def filed_document(login) -> int:
    """One image of a document filed to a patient (it needs no consent for care)."""
    vault = login("admin").vault
    patient = vault_rows.add_patient(vault)
    image = vault_rows.add_inbox_image(vault)
    FilingService(login("reception")).file(FilingRequest(
        image_ids=(image,), patient_id=patient, kind=ImageKind.DOCUMENT,
        body_site=BodySite.parse("none")))
    return image


def _refused(link: Path):
    return pytest.raises(CloudFolderRefused, match=f"it is really {link.resolve()}")


def test_a_vault(linked):
    with _refused(linked):
        Vault.create(linked / "vault", "admin", "a long enough password")
    assert not check_vault_folder(linked / "vault").usable


def test_a_backup(linked, login):
    with _refused(linked):
        backup_vault(login("admin").vault, linked / "backup")
    assert not list(linked.iterdir())


def test_an_export(linked, login, filed_document):
    with _refused(linked):
        ReportService(login("clinician")).export(
            Selection(image_ids=(filed_document,)), Purpose.CLINICAL_CARE,
            Recipient(group=RecipientClass.TREATING_TEAM), file_format="jpeg",
            out=linked / "export")
    assert not list(linked.iterdir())


def test_the_outbox(linked, login, filed_document):
    with pytest.raises(SettingError, match="it is really"):
        SettingsService(login("admin")).change(outbox_folder=str(linked / "import"))
    with _refused(linked):
        ReportService(login("reception")).summary(Selection(image_ids=(filed_document,)),
                                                  out=linked / "import")
    assert not check_working_folder(linked / "import", "outbox").usable
    assert not list(linked.iterdir())


def test_the_drop_folder(linked, login):
    (linked / "drop").mkdir()
    with _refused(linked):
        ImportService(login("reception")).watch(linked / "drop", cancel=CancelToken())
    assert not check_working_folder(linked / "drop", "drop folder").usable
