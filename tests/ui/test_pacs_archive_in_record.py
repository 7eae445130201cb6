"""The record shows, read-only, the pictures another workstation archived in the practice's PACS."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS
from tests.integration.archive_pictures import corpus_copies, file_pictures, import_files
from tests.integration.orthanc import AE_TITLE, PASSWORD, USER, Orthanc, require_orthanc
from tests.ui.record_pictures import file_pictures as file_at_this_desk
from tests.ui.test_record import open_record_by_keyboard

pytestmark = pytest.mark.slow


@pytest.fixture
def archive(tmp_path):
    require_orthanc()
    server = Orthanc(tmp_path / "orthanc", dicomweb=True).start()
    yield server
    server.stop()


def configure(root, server):
    from clinfile.app.interop.pacs_config import PacsConfig
    from clinfile.app.interop.pacs_service import PacsService
    from clinfile.app.security.session import Session

    PacsService(Session.login(root, ADMIN, ADMIN_PASSWORD)).configure(PacsConfig(
        "127.0.0.1", server.dicom_port, AE_TITLE, dicomweb_url=f"{server.url}/dicom-web",
        dicomweb_user=USER), PASSWORD)


def consulting_room_sends(root, server, corpus, tmp_path) -> None:
    """Another workstation, with a vault of its own, files a picture of Mai and archives it."""
    from clinfile.app.interop.pacs_service import PacsService
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService
    from clinfile.app.vault.vault import Vault
    from tests.integration.archive_pictures import add_patient

    Vault.create(root, ADMIN, ADMIN_PASSWORD).vault.lock()
    admin = Session.login(root, ADMIN, ADMIN_PASSWORD)
    UserService(admin).add("clinician", "clinician", PASSWORDS["clinician"])
    configure(root, server)
    mai = add_patient(admin, record_number="900001", born="1990-06-05")
    doctor = Session.login(root, "clinician", PASSWORDS["clinician"])
    ids = import_files(doctor, corpus_copies(corpus, ["jpg/gps/DSCN0010.jpg"], tmp_path / "cr"))
    file_pictures(doctor, ids, mai, site="right-knee", episode="graze, right knee")
    PacsService(doctor).queue()
    assert PacsService(doctor).send_waiting().sent == 1


def test_a_clinician_sees_the_consulting_rooms_picture_marked_as_from_the_archive(
        qtbot, logged_in, vault_path, corpus, tmp_path, archive):
    file_at_this_desk(vault_path, corpus, tmp_path, [(0, "face", "mole on the cheek")])
    configure(vault_path, archive)
    consulting_room_sends(tmp_path / "consulting-room", archive, corpus, tmp_path)

    shell = logged_in("clinician")
    open_record_by_keyboard(qtbot, shell, "Mai Nguyen")
    panel = shell.archive.panel
    finding = shell.record_view.finding
    qtbot.keyClick(finding, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert finding.currentWidget() is panel
    with qtbot.waitSignal(shell.archive.searched, timeout=20000):
        qtbot.mouseClick(panel.look_button, Qt.MouseButton.LeftButton)
    assert panel.pictures.count() == 1
    words = panel.pictures.item(0).text()
    assert words.startswith("From the archive") and "right knee" in words
    assert "1 picture from other workstations" in panel.status.text()

    with qtbot.waitSignal(shell.archive.shown, timeout=20000):
        qtbot.keyClick(panel.pictures, Qt.Key.Key_Return)
    viewer = shell.archive.viewer
    assert "Read-only" in viewer.banner.text() and "not filed" in viewer.banner.text()
    assert viewer.picture.pixmap() is not None and not viewer.picture.pixmap().isNull()
    viewer.reject()

    with qtbot.waitSignal(shell.archive.searched, timeout=20000):
        qtbot.mouseClick(panel.look_button, Qt.MouseButton.LeftButton)
    assert panel.pictures.item(0).text().endswith("kept here")
    assert "3 pictures" not in shell.record_view.banner.details.text()
