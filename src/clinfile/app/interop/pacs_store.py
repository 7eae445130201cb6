"""C-STORE to the practice's PACS with pynetdicom: one association for a batch of pictures.

The archive is asked for the VL Photographic Image class twice, once per
transfer syntax Clinfile writes (JPEG Baseline for a carried camera JPEG,
Explicit VR Little Endian for lossless pixels), so each object goes as it
was built, never transcoded on the way.
"""

from __future__ import annotations

import logging
import queue
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pydicom import Dataset
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit
from pynetdicom import AE, evt
from pynetdicom.pdu import A_ASSOCIATE_RJ
from pynetdicom.sop_class import VLPhotographicImageStorage

from clinfile.app.interop.pacs_config import PacsConfig
from clinfile.app.vault.errors import VaultError

CONNECT_SECONDS = 5
#: Associations a batch is sent over at once: the archive stores one picture as the next arrives.
ASSOCIATIONS = 2
ANSWER_SECONDS = 60
#: C-STORE statuses the standard counts as stored: success and the warnings (coerced, ...).
_STORED = frozenset({0x0000, 0xB000, 0xB007, 0xB006})
#: (source, reason) of an A-ASSOCIATE-RJ (DICOM PS3.8 9.3.4) naming an AE title it does not know.
_CALLED_TITLE_UNKNOWN = (0x01, 0x07)
_CALLING_TITLE_UNKNOWN = (0x01, 0x03)
#: The result of a refusal the archive means for now only (too many connections, say).
_TRANSIENT = 0x02

# pynetdicom logs every association in detail; patient details must not reach the log.
logging.getLogger("pynetdicom").setLevel(logging.WARNING)


class PacsUnreachable(VaultError):
    """The PACS could not be reached or refused the association; ``str()`` says why."""


@dataclass(frozen=True)
class StoreResult:
    """What the archive answered for one object."""

    key: object
    stored: bool
    problem: str = ""


def store_all(config: PacsConfig, objects: Iterable[tuple[object, Dataset]],
              *, before_first: Callable[[], None] | None = None,
              associations: int = ASSOCIATIONS) -> Iterator[StoreResult]:
    """Send DICOM objects to the PACS, yielding each one's result as the archive answers.

    Objects go over a few associations at once, so the archive stores one
    while the next is on its way; a second association the archive refuses
    is simply not used.

    Args:
        config: the archive to send to.
        objects: (key, dataset) pairs; the key comes back in the result.
        before_first: called once the first association is up and before
            anything is sent (the consent gate, so a use is recorded only
            when sending can actually happen).
        associations: how many associations to send over at most.

    Raises:
        PacsUnreachable: no association (the archive is down, refuses this
            AE title, or the connection broke part-way).
    """
    opened = [_associate(config)]
    try:
        for _ in range(associations - 1):
            try:
                opened.append(_associate(config))
            except PacsUnreachable:
                break
        if before_first is not None:
            before_first()
        yield from _sent_over(opened, iter(objects))
        for assoc in opened:
            assoc.release()
    finally:
        for assoc in opened:
            if assoc.is_established:
                assoc.abort()


def _sent_over(opened: list, objects: Iterator[tuple[object, Dataset]]
               ) -> Iterator[StoreResult]:
    """Send from one shared stream of objects over each association, in threads of their own."""
    taking = threading.Lock()
    answers: queue.Queue = queue.Queue()

    def send(assoc) -> None:
        try:
            while True:
                with taking:
                    item = next(objects, None)
                if item is None:
                    break
                answers.put(_stored(assoc, *item))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            answers.put(exc)
        finally:
            answers.put(None)

    senders = [threading.Thread(target=send, args=(a,), name="pacs-send", daemon=True)
               for a in opened]
    for sender in senders:
        sender.start()
    running, problem = len(senders), None
    while running:
        answer = answers.get()
        if answer is None:
            running -= 1
        elif isinstance(answer, BaseException):
            problem = problem or answer
        else:
            yield answer
    for sender in senders:
        sender.join()
    if problem is not None:
        raise problem


def _stored(assoc, key: object, dataset: Dataset) -> StoreResult:
    broke = PacsUnreachable("The connection to the PACS broke while sending; what was not "
                            "stored waits in the queue and is sent when it is back.")
    try:
        status = assoc.send_c_store(dataset)
    except RuntimeError:  # pynetdicom's word for an association the archive has dropped
        raise broke from None
    if not assoc.is_established:
        raise broke
    code = getattr(status, "Status", None)
    if code in _STORED:
        return StoreResult(key, True)
    return StoreResult(key, False, _status_words(code))


def _associate(config: PacsConfig):
    ae = AE(ae_title=config.calling_ae)
    ae.add_requested_context(VLPhotographicImageStorage, JPEGBaseline8Bit)
    ae.add_requested_context(VLPhotographicImageStorage, ExplicitVRLittleEndian)
    ae.connection_timeout = CONNECT_SECONDS
    ae.acse_timeout = ANSWER_SECONDS
    ae.dimse_timeout = ANSWER_SECONDS
    ae.network_timeout = ANSWER_SECONDS
    ae.maximum_pdu_size = 0
    tls = (_tls_context(config), config.host) if config.uses_tls else None
    refusals: list[A_ASSOCIATE_RJ] = []
    assoc = ae.associate(config.host, config.port, ae_title=config.called_ae, tls_args=tls,
                         evt_handlers=[(evt.EVT_PDU_RECV, _refusals_into(refusals))])
    if assoc.is_established:
        return assoc
    if refusals:
        raise PacsUnreachable(_refusal_words(config, refusals[0]))
    if _answers(config):
        raise PacsUnreachable(f"The PACS {config.called_ae} at {config.host}:{config.port} "
                              "answered but broke off before accepting this workstation "
                              "(check the AE titles and the TLS settings); the pictures wait "
                              "in the queue.")
    raise PacsUnreachable(f"The PACS at {config.host}:{config.port} could not be reached; "
                          "the pictures wait in the queue and are sent when it is back.")


def _refusals_into(refusals: list[A_ASSOCIATE_RJ]) -> Callable[[evt.Event], None]:
    """Keep the archive's refusal as it arrives.

    pynetdicom reads a refusal and closes the connection on a thread of its
    own; when that thread gets there before the caller looks, pynetdicom calls
    the association aborted and drops the refusal (one in fifty to one in
    twelve on a busy computer). The refusal as received is the archive's word.
    """
    def keep(event: evt.Event) -> None:
        if isinstance(event.pdu, A_ASSOCIATE_RJ):
            refusals.append(event.pdu)

    return keep


def _refusal_words(config: PacsConfig, refusal: A_ASSOCIATE_RJ) -> str:
    """What the archive's refusal means for the person, in the words of its reason.

    A refusal for now only (an archive with all its connections in use) is
    no reason to check the settings: the pictures go once it has room.
    """
    where = f"The PACS at {config.host}:{config.port}"
    reason = (refusal.source, refusal.reason_diagnostic)
    if refusal.result == _TRANSIENT:
        return (f"{where} is busy and turned this workstation away for now; the pictures wait "
                "in the queue and are sent when it has room.")
    if reason == _CALLED_TITLE_UNKNOWN:
        return (f"{where} does not answer to the AE title {config.called_ae} (check the PACS's "
                "AE title in the settings).")
    if reason == _CALLING_TITLE_UNKNOWN:
        return (f"{where} does not know this workstation's AE title {config.calling_ae} (the "
                "archive's administrator must add it, or check it in the settings).")
    return f"{where} refused this workstation (check the AE titles)."


def _answers(config: PacsConfig) -> bool:
    """Whether anything listens at the archive's address.

    An association that was neither accepted nor refused may have been broken
    off by an archive that is up (an abort instead of a refusal, a TLS
    mismatch); telling that person the archive "could not be reached" would
    send them looking at the network instead of the settings.
    """
    try:
        socket.create_connection((config.host, config.port), timeout=CONNECT_SECONDS).close()
    except OSError:
        return False
    return True


def _tls_context(config: PacsConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=config.tls_ca)
    if config.tls_certificate:
        context.load_cert_chain(config.tls_certificate, config.tls_key)
    return context


def _status_words(code: int | None) -> str:
    if code is None:
        return "the PACS did not answer"
    if 0xA700 <= code <= 0xA7FF:
        return f"the PACS is out of storage space (status 0x{code:04X})"
    if code == 0x0122 or code == 0xA900:
        return f"the PACS does not accept this kind of picture (status 0x{code:04X})"
    return f"the PACS refused the picture (status 0x{code:04X})"
