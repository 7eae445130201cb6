"""Seeing, from one workstation, the pictures another workstation archived in Orthanc.

Two vaults are two workstations of one practice, both knowing Mai Nguyen by
her record number. The consulting room files and sends two pictures; the
reception desk files one of its own. From the desk, the archive (Orthanc's
DICOMweb: QIDO-RS, WADO-RS) lists the consulting room's two, not its own; a
picture viewed is kept in the desk's vault and shows again with Orthanc
stopped. Read-only: nothing of it is filed.
"""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from clinfile.app.interop.archive_service import ArchiveService
from clinfile.app.interop.dicomweb import ArchiveUnreachable
from clinfile.app.interop.pacs_config import PacsConfig
from clinfile.app.interop.pacs_service import PacsService
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault.vault import Vault
from clinfile.db.filing import FilingRepository
from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
from tests.integration.archive_pictures import (
    add_patient,
    corpus_copies,
    file_pictures,
    import_files,
)
from tests.integration.orthanc import AE_TITLE, PASSWORD, USER, Orthanc, require_orthanc

pytestmark = pytest.mark.slow


@pytest.fixture
def dicomweb_orthanc(tmp_path):
    require_orthanc()
    server = Orthanc(tmp_path / "orthanc", dicomweb=True).start()
    try:
        server.get("/dicom-web/studies")
    except Exception:  # noqa: BLE001 - the plugin's package is what is missing
        server.stop()
        pytest.skip("Orthanc's DICOMweb plugin (package orthanc-dicomweb) is not installed")
    yield server
    server.stop()


def workstation(root, server):
    """A vault of its own (its own id) for one workstation, sending to the shared Orthanc."""
    Vault.create(root, ADMIN, ADMIN_PASSWORD).vault.lock()
    admin = Session.login(root, ADMIN, ADMIN_PASSWORD)
    UserService(admin).add("clinician", "clinician", PASSWORDS["clinician"])
    PacsService(admin).configure(PacsConfig(
        "127.0.0.1", server.dicom_port, AE_TITLE, dicomweb_url=f"{server.url}/dicom-web",
        dicomweb_user=USER), PASSWORD)
    mai = add_patient(admin)
    return Session.login(root, "clinician", PASSWORDS["clinician"]), mai


def test_the_desk_sees_and_keeps_what_the_consulting_room_archived(
        corpus, tmp_path, dicomweb_orthanc):
    room, room_mai = workstation(tmp_path / "room", dicomweb_orthanc)
    desk, desk_mai = workstation(tmp_path / "desk", dicomweb_orthanc)
    sent = import_files(room, corpus_copies(
        corpus, ["jpg/gps/DSCN0010.jpg", "tiff/Arbitro.tiff"], tmp_path / "room-drop"))
    file_pictures(room, sent, room_mai, site="right-knee", episode="graze, right knee")
    PacsService(room).queue()
    assert PacsService(room).send_waiting().sent == 2
    own = import_files(desk, corpus_copies(corpus, ["jpg/Canon_40D.jpg"], tmp_path / "d"))
    file_pictures(desk, own, desk_mai)
    assert PacsService(desk).queue() == 1 and PacsService(desk).send_waiting().sent == 1
    other = add_patient(Session.login(tmp_path / "room", ADMIN, ADMIN_PASSWORD),
                        record_number="JS1970", family="Smith", given="Jo", born="1970-01-01")
    theirs = import_files(room, corpus_copies(corpus, ["jpg/Nikon_D70.jpg"], tmp_path / "o"))
    file_pictures(room, theirs, other)
    PacsService(room).queue()
    PacsService(room).send_waiting()

    archive = ArchiveService(desk)
    search = archive.search(desk_mai)
    assert search.problem == ""
    assert len(search.pictures) == 2  # the room's two; not the desk's own, not Jo Smith's
    assert all(p.words.startswith("From the archive") for p in search.pictures)
    assert all("right knee" in p.words and "graze, right knee" in p.words
               for p in search.pictures)
    assert not any(p.kept for p in search.pictures)

    shown = archive.display_copy(desk_mai, search.pictures[0])
    with Image.open(io.BytesIO(shown)) as picture:
        assert picture.format == "JPEG" and picture.width > 100 and not picture.getexif()
    assert [p.kept for p in archive.search(desk_mai).pictures].count(True) == 1

    dicomweb_orthanc.stop()
    offline = archive.search(desk_mai)
    assert "could not be reached" in offline.problem
    [kept] = offline.pictures
    assert kept.kept and archive.display_copy(desk_mai, kept)[:2] == b"\xff\xd8"
    with pytest.raises(ArchiveUnreachable):
        archive.display_copy(desk_mai, next(p for p in search.pictures if not p.kept
                                            and p.instance != kept.instance))

    with desk.vault.index() as conn:
        assert len(FilingRepository(conn).all_filings()) == 1  # nothing of it was filed
        actions = [json.loads(d) | {"action": a} for a, d in conn.execute(
            "SELECT action, detail FROM audit ORDER BY seq") if a.startswith("archive.")]
    assert {a["action"] for a in actions} == {"archive.searched", "archive.viewed",
                                              "archive.kept"}
