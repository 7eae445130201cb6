"""What a person is told when the PACS does not take the association."""

import socket
import threading

import pytest

from clinfile.app.interop.pacs_config import PacsConfig
from clinfile.app.interop.pacs_store import PacsUnreachable, store_all


@pytest.fixture
def hangs_up():
    """A listener that accepts each connection and closes it at once, as a broken-off archive."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_an_archive_that_breaks_off_is_not_called_unreachable(hangs_up):
    config = PacsConfig(host="127.0.0.1", port=hangs_up, called_ae="ARCHIVE")
    with pytest.raises(PacsUnreachable) as raised:
        list(store_all(config, []))
    assert "could not be reached" not in str(raised.value)
    assert "AE titles" in str(raised.value)


def test_nothing_listening_is_called_unreachable():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    config = PacsConfig(host="127.0.0.1", port=port, called_ae="ARCHIVE")
    with pytest.raises(PacsUnreachable, match="could not be reached"):
        list(store_all(config, []))


def test_an_archive_with_every_connection_in_use_is_called_busy_not_misconfigured():
    """pynetdicom's archive, allowed one association and holding it, refuses the next."""
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification

    archive = AE(ae_title="ARCHIVE")
    archive.add_supported_context(Verification)
    archive.maximum_associations = 1
    server = archive.start_server(("127.0.0.1", 0), block=False)
    port = server.server_address[1]
    holder = AE(ae_title="HOLDER")
    holder.add_requested_context(Verification)
    held = holder.associate("127.0.0.1", port, ae_title="ARCHIVE")
    try:
        assert held.is_established
        config = PacsConfig(host="127.0.0.1", port=port, called_ae="ARCHIVE")
        with pytest.raises(PacsUnreachable) as raised:
            list(store_all(config, []))
    finally:
        held.release()
        server.shutdown()
    assert str(raised.value) == (f"The PACS at 127.0.0.1:{port} is busy and turned this "
                                 "workstation away for now; the pictures wait in the queue and "
                                 "are sent when it has room.")
