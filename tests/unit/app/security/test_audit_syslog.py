"""The practice's audit repository receives every row, over mutual TLS, even after it was down.

A real TLS syslog receiver runs on loopback with certificates made here by
``cryptography``: a practice authority, the receiver's certificate, and the
workstation's. What it received is compared, row by row, with the trail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import re
import socket
import ssl
import tempfile
import threading
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from clinfile.app.security.session import Session
from clinfile.app.security.syslog import RETRY_SECONDS, SENT_TO, SyslogTarget, forward_audit_to
from clinfile.db.audit import AuditRepository
from clinfile.db.settings import MetaRepository
from tests.conftest import ADMIN, PASSWORDS

FRAME = re.compile(rb"^(\d+) ")


def _certificate(name: str, key, issuer_name, issuer_key, *, authority: bool = False):
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=1))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=authority, path_length=None),
                              critical=True))
    if not authority:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(item) -> str:
    if isinstance(item, x509.Certificate):
        return item.public_bytes(serialization.Encoding.PEM).decode()
    return item.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode()


class Receiver:
    """A TLS syslog receiver that asks for the workstation's certificate and keeps messages."""

    def __init__(self, authority, server_cert, server_key, port: int = 0) -> None:
        self.messages: list[bytes] = []
        self._open: list[socket.socket] = []
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as folder:
            cert, key = Path(folder, "c.pem"), Path(folder, "k.pem")
            cert.write_text(_pem(server_cert))
            key.write_text(_pem(server_key))
            self._context.load_cert_chain(cert, key)
        self._context.load_verify_locations(cadata=_pem(authority))
        self._context.verify_mode = ssl.CERT_REQUIRED
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            self._open.append(raw)
            threading.Thread(target=self._read, args=(raw,), daemon=True).start()

    def _read(self, raw: socket.socket) -> None:
        try:
            channel = self._context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            return
        self._open.append(channel)
        pending = b""
        while data := _recv(channel):
            pending += data
            while (match := FRAME.match(pending)) and len(pending) >= match.end() + int(
                    match[1]):
                end = match.end() + int(match[1])
                self.messages.append(pending[match.end():end])
                pending = pending[end:]

    def close(self) -> None:
        """Go down: stop listening and drop every connection."""
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for raw in self._open:
            with contextlib.suppress(OSError):
                raw.shutdown(socket.SHUT_RDWR)
            raw.close()


def _recv(channel) -> bytes:
    try:
        return channel.recv(65536)
    except OSError:
        return b""


def _received_rows(receiver: Receiver) -> list[tuple[int, str, str, str]]:
    found = []
    for message in receiver.messages:
        head = message.split(b"\xef\xbb\xbf", 1)[0].decode()
        parts = head.split(" ", 6)
        fields = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', parts[6]))
        assert parts[0] == "<85>1" and parts[3] == "clinfile"
        found.append((int(fields["seq"]), parts[5], fields["actor"], fields["hash"]))
    return found


def _wait_for(receiver: Receiver, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(receiver.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_repository_gets_every_row_as_it_happens_and_what_waited_while_down(vault_path):
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Practice audit CA")])
    authority = _certificate("Practice audit CA", authority_key, authority_name, authority_key,
                             authority=True)
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    server = _certificate("audit repository", server_key, authority_name, authority_key)
    client = _certificate("front desk workstation", client_key, authority_name, authority_key)
    receiver = Receiver(authority, server, server_key)
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    forward_audit_to(admin, SyslogTarget("127.0.0.1", receiver.port, _pem(authority),
                                         _pem(client), _pem(client_key)))
    admin.lock()

    session = Session.login(vault_path, "reception", PASSWORDS["reception"])
    session.audit("images.exported", "image 7", {"to": "usb stick"})
    with session.vault.index() as conn:
        written = AuditRepository(conn).last().seq
    _wait_for(receiver, written)
    port = receiver.port
    receiver.close()
    before_down = _received_rows(receiver)
    session.audit("images.viewed", "image 8")
    session.audit("images.viewed", "image 9")
    time.sleep(0.5)
    receiver = Receiver(authority, server, server_key, port=port)
    session.lock()
    session.unlock(PASSWORDS["reception"])
    with session.vault.index() as conn:
        trail = [(r.seq, r.action, r.actor, r.hash) for r in AuditRepository(conn).rows()]
    _wait_for(receiver, len(trail) - len(before_down))
    session.lock()

    got = sorted(set(before_down) | set(_received_rows(receiver)))
    assert len(before_down) >= written
    assert got[:len(trail)] == trail


def test_reconnects_send_each_row_once_in_order_however_many_sessions_forward(vault_path):
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Practice audit CA")])
    authority = _certificate("Practice audit CA", authority_key, authority_name, authority_key,
                             authority=True)
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    server = _certificate("audit repository", server_key, authority_name, authority_key)
    client = _certificate("front desk workstation", client_key, authority_name, authority_key)
    receivers = [Receiver(authority, server, server_key)]
    port = receivers[0].port
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    forward_audit_to(admin, SyslogTarget("127.0.0.1", port, _pem(authority), _pem(client),
                                         _pem(client_key)))
    admin.lock()
    admin = Session.login(vault_path, ADMIN, PASSWORDS[ADMIN])
    reception = Session.login(vault_path, "reception", PASSWORDS["reception"])

    def _trail_so_far() -> int:
        with reception.vault.index() as conn:
            return AuditRepository(conn).last().seq

    for round_ in range(2):
        _wait_for(receivers[-1], _trail_so_far() - sum(len(r.messages) for r in receivers[:-1]))
        time.sleep(RETRY_SECONDS + 1)
        receivers[-1].close()
        for n in range(3):
            reception.audit("images.viewed", f"image {round_}{n}")
            admin.audit("settings.changed", f"setting {round_}{n}")
        receivers.append(Receiver(authority, server, server_key, port=port))
    _wait_for(receivers[-1], _trail_so_far() - sum(len(r.messages) for r in receivers[:-1]))
    time.sleep(1)
    with reception.vault.index() as conn:
        trail = [(r.seq, r.action, r.actor, r.hash) for r in AuditRepository(conn).rows()]
        mark = int(MetaRepository(conn).get(SENT_TO))
    reception.lock()
    admin.lock()

    got = [row for receiver in receivers for row in _received_rows(receiver)]
    assert got[:len(trail)] == trail
    assert [row[0] for row in got] == list(range(1, len(got) + 1)), "a row went twice"
    assert mark == trail[-1][0]
