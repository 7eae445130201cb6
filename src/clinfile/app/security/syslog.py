"""Every audit row sent, as it happens, to the practice's syslog or audit repository.

A copy outside the vault is the one thing an insider holding the master key
cannot rewrite. Rows go as RFC 5424 messages over TLS (RFC 5425 framing),
as IHE ATNA's secure nodes send audit events: mutual TLS, the receiver's
authority and this workstation's certificate and key kept in the
SecretStore, never in a file. Nothing needs a queue of its own: the index
keeps every row, and the index records up to which row the repository has
received; while the repository is down rows wait there, and go, in order,
once it answers again (after a restart too).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import select
import socket
import ssl
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from clinfile.app.custody.secrets import KeyringSecretStore, SecretStore
from clinfile.app.security.roles import Permission
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository, AuditRow
from clinfile.db.connection import DatabaseError, transaction
from clinfile.db.settings import MetaRepository

if TYPE_CHECKING:
    from clinfile.app.security.session import Session

log = logging.getLogger("clinfile.security.syslog")

SECRET_NAME = "audit-syslog"
SENT_TO = "syslog_sent_to"
FACILITY_AUTHPRIV = 10
SEVERITY_NOTICE = 5
ENTERPRISE = "clinfile@32473"
RETRY_SECONDS = 5.0
BATCH_ROWS = 500


@dataclass(frozen=True)
class SyslogTarget:
    """Where audit rows go and how this workstation proves itself there (all PEM text)."""

    host: str
    port: int
    authority: str
    certificate: str
    key: str

    def save(self, secrets: SecretStore) -> None:
        """Keep the whole target in the SecretStore."""
        secrets.set(SECRET_NAME, json.dumps(asdict(self)))

    @classmethod
    def load(cls, secrets: SecretStore) -> SyslogTarget | None:
        """The configured target, or None when the practice has none."""
        stored = secrets.get(SECRET_NAME) if secrets.is_available() else None
        return cls(**json.loads(stored)) if stored else None


def forward_audit_to(session: Session, target: SyslogTarget) -> None:
    """Keep the practice's repository as this vault's audit destination (admins only)."""
    session.require(Permission.CHANGE_SETTINGS)
    target.save(KeyringSecretStore(session.vault.vault_id))
    session.audit("audit.forwarding_set", f"{target.host}:{target.port}")


def message(row: AuditRow, hostname: str) -> bytes:
    """One audit row as an RFC 5424 message, framed by its length (RFC 5425)."""
    at = datetime.fromisoformat(row.at).isoformat(timespec="milliseconds")
    params = {"seq": row.seq, "actor": row.actor, "subject": row.subject, "hash": row.hash}
    data = " ".join(f'{k}="{_sd_escape(str(v))}"' for k, v in params.items())
    text = (f"<{FACILITY_AUTHPRIV * 8 + SEVERITY_NOTICE}>1 {at} {hostname} clinfile "
            f"{os.getpid()} {_msgid(row.action)} [{ENTERPRISE} {data}] ")
    body = text.encode() + b"\xef\xbb\xbf" + row.detail.encode()
    return f"{len(body)} ".encode() + body


class AuditForwarder:
    """A thread that sends every audit row not yet received, and waits for more.

    It wakes when told a row was written (:meth:`nudge`) and every few
    seconds regardless, so rows written by other processes go too. It uses
    the vault only while unlocked; :meth:`stop` ends it before a lock.
    """

    def __init__(self, vault: Vault, target: SyslogTarget) -> None:
        self._vault = vault
        self._target = target
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-syslog", daemon=True)
        self._hostname = socket.gethostname() or "-"
        self._unsaved = 0
        self._resend_from: int | None = None

    def start(self) -> AuditForwarder:
        """Begin sending in the background."""
        self._thread.start()
        return self

    def nudge(self) -> None:
        """Say a row was written, so it goes now rather than at the next round."""
        self._wake.set()

    def stop(self) -> None:
        """Send what is left (one last round), then end; call while still unlocked."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def send_pending(self, channel: ssl.SSLSocket) -> int | None:
        """Send every row after the last sent, in order; return the row the round began after.

        Only one sender on this computer sends at a time (the others find
        the rows gone when their turn comes), and the rows are read before
        they are sent, so no read holds the index while the network is slow.
        The mark of what was sent is saved after each batch; one that could
        not be saved (the index busy) is kept here and saved next round.
        Returns None when nothing was sent (another sender had the turn).
        """
        with _only_sender(self._vault.layout.root) as sending:
            if not sending:
                return None
            start = after = self._settle_mark()
            while True:
                with self._vault.index() as conn:
                    rows = list(itertools.islice(AuditRepository(conn).rows(since=after),
                                                 BATCH_ROWS))
                for row in rows:
                    channel.sendall(message(row, self._hostname))
                if rows:
                    after = self._unsaved = rows[-1].seq
                    self._settle_mark()
                if len(rows) < BATCH_ROWS:
                    return start if after > start else None

    def resend_after(self, seq: int | None) -> None:
        """Send again what went since ``seq`` on a connection later found dead.

        TCP accepts bytes a receiver that has gone never reads, so a repeat
        (the repository drops it by its number) is better than a gap; the
        mark moves back now (or, the index busy, at this sender's next round).
        """
        if seq is None:
            return
        self._unsaved, self._resend_from = 0, seq
        with contextlib.suppress(DatabaseError):
            self._settle_mark()

    def _settle_mark(self) -> int:
        """Save what this sender owes the mark (a step back or forward); return the mark.

        The mark never moves forward past a step back another sender asked
        for; a step back wins, since a row sent twice is better than none.
        """
        with self._vault.index() as conn:
            meta = MetaRepository(conn)
            try:
                with transaction(conn):
                    mark = int(meta.get(SENT_TO) or 0)
                    if self._resend_from is not None:
                        mark = min(mark, self._resend_from)
                    elif self._unsaved > mark:
                        mark = self._unsaved
                    meta.put(SENT_TO, str(mark))
                self._unsaved, self._resend_from = 0, None
            except DatabaseError as exc:
                log.info("the audit repository's mark waits for the next round (%s)", exc)
                return max(int(meta.get(SENT_TO) or 0), self._unsaved)
        return mark

    def _run(self) -> None:
        channel, round_began = None, None
        while True:
            stopping = self._stopping.is_set()
            try:
                if channel is not None and not _alive(channel):
                    channel = _closed(channel)
                    self.resend_after(round_began)
                if channel is None:
                    channel = self._connect()
                round_began = self.send_pending(channel)
            except (OSError, ssl.SSLError) as exc:
                log.warning("the practice's audit repository cannot be reached (%s); rows wait",
                            type(exc).__name__)
                if channel is not None:
                    self.resend_after(round_began)
                channel = _closed(channel)
            except Exception:  # noqa: BLE001 - a locked vault or a changed key ends the round
                channel = _closed(channel)
                if self._vault.locked:
                    return
                log.exception("sending audit rows failed")
            if stopping:
                break
            self._wake.wait(RETRY_SECONDS)
            self._wake.clear()
        _closed(channel)

    def _connect(self) -> ssl.SSLSocket:
        context = ssl.create_default_context(cadata=self._target.authority)
        with _pem_files(self._target.certificate, self._target.key) as (cert, key):
            context.load_cert_chain(cert, key)
        raw = socket.create_connection((self._target.host, self._target.port), timeout=10)
        return context.wrap_socket(raw, server_hostname=self._target.host)


@contextlib.contextmanager
def _pem_files(certificate: str, key: str):
    """The certificate and key as paths for the ``ssl`` module, which reads only files.

    On Linux they are memory files (memfd) that never reach a disk; elsewhere
    a private temporary folder holds them for the instant of loading.
    """
    if hasattr(os, "memfd_create"):
        descriptors = []
        try:
            for text in (certificate, key):
                descriptor = os.memfd_create("clinfile-tls")
                os.write(descriptor, text.encode())
                descriptors.append(descriptor)
            yield tuple(f"/proc/self/fd/{d}" for d in descriptors)
        finally:
            for descriptor in descriptors:
                os.close(descriptor)
        return
    with tempfile.TemporaryDirectory(prefix="clinfile-tls-") as folder:
        paths = []
        for name, text in (("cert.pem", certificate), ("key.pem", key)):
            path = os.path.join(folder, name)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text)
            paths.append(path)
        yield paths[0], paths[1]


@contextlib.contextmanager
def _only_sender(folder: Path) -> Iterator[bool]:
    """Whether this sender may send now: no other process or session on this computer is.

    Every unlocked session forwards the whole trail, so two at once would
    each send the same rows. The lock on the vault folder, taken without
    waiting, lets one send while the rest skip the round (a change of keys,
    which holds the same lock, makes them skip it too). Where the system has
    no such lock (Windows), each sends.
    """
    if fcntl is None:
        yield True
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)


def _alive(channel: ssl.SSLSocket) -> bool:
    """Whether the receiver is still there: it never writes, so reading finds only its end.

    TLS 1.3 receivers send session tickets after the handshake; those make
    the socket readable too but yield no data, and are not an end.
    """
    readable, _, _ = select.select([channel], [], [], 0)
    if not readable:
        return True
    timeout = channel.gettimeout()
    channel.setblocking(False)
    try:
        return bool(channel.recv(1))
    except ssl.SSLWantReadError:
        return True
    except (OSError, ssl.SSLError):
        return False
    finally:
        channel.settimeout(timeout)


def _closed(channel: ssl.SSLSocket | None) -> None:
    if channel is not None:
        with contextlib.suppress(OSError):
            channel.close()


def _msgid(action: str) -> str:
    """An audit action as an RFC 5424 MSGID: printable ASCII, at most 32 characters."""
    return "".join(ch if 33 <= ord(ch) <= 126 else "_" for ch in action)[:32] or "-"


def _sd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")
