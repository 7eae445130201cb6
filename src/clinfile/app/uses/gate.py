"""The one gate every export, print, share and PACS send passes through.

Design guarantee 2: any use beyond the patient's own care "is refused by the
core, not just the UI, unless the recorded consent covers that purpose and
recipient". Callers that send an image anywhere call :func:`authorise_use`
first and send only if it returns; a refusal is audited and raised as
:class:`UseRefused`. Each allowed use is recorded, so that when a patient
withdraws consent the practice sees what already left (AMA: "Never send a
clinical image to anyone else unless you have the patient's consent to do
so").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from clinfile.app import clock
from clinfile.app.consent.model import Consent
from clinfile.app.consent.policy import load_policy
from clinfile.app.consent.records import ConsentRecords
from clinfile.app.consent.rules import Allowed, Decision, Refused, decide
from clinfile.app.consent.vocabulary import Purpose, Recipient
from clinfile.app.custody.audit import AuditedWork, AuditEntry
from clinfile.app.filing.model import FiledImage, load_filed
from clinfile.app.security.roles import Permission, PolicyRefused
from clinfile.app.security.session import Session
from clinfile.db.connection import Connection
from clinfile.db.consents import ConsentRepository, NewUse


class Channel(StrEnum):
    """How an image leaves the vault."""

    EXPORT = "export"
    PRINT = "print"
    SHARE = "share"
    PACS = "pacs"

    @property
    def permission(self) -> Permission:
        """The role permission this way of sending needs (reception prints; clinicians send)."""
        return Permission.PRINT_FORMS if self is Channel.PRINT else Permission.EXPORT_IMAGES


class UseRefused(PolicyRefused):
    """The consent rules refused a use; ``decision`` holds the reason and the remedy."""

    def __init__(self, image_id: int, decision: Refused) -> None:
        super().__init__(f"Image {image_id}: {decision}")
        self.image_id = image_id
        self.decision = decision


@dataclass(frozen=True)
class Authorisation:
    """A use the rules allowed for every image asked about, as recorded for later withdrawal."""

    purpose: Purpose
    recipient: Recipient
    channel: Channel
    decisions: tuple[tuple[int, Allowed], ...]
    use_ids: tuple[int, ...]


def check_use(session: Session, image_id: int, purpose: Purpose, recipient: Recipient, *,
              deidentified: bool = False) -> Decision:
    """Say whether one image may be used for a purpose and recipient, without using it."""
    session.require(Permission.VIEW_IMAGES, subject=f"image {image_id}")
    with session.vault.index() as conn:
        filed = load_filed(conn, [image_id])
        [decision] = _rules(conn, (image_id,), filed, consents_of(conn, filed), purpose,
                            recipient, deidentified)
    return decision


def authorise_use(session: Session, image_ids: Iterable[int], purpose: Purpose,
                  recipient: Recipient, *, channel: Channel = Channel.EXPORT,
                  deidentified: bool = False) -> Authorisation:
    """Allow a use of some images only if the consent rules allow it for every one.

    The images are loaded, decided on and their use recorded in one unit of
    work (see :func:`authorise_within`).

    Raises:
        PolicyRefused: the person's role may not send images this way (audited).
        UseRefused: the rules refuse an image; nothing is recorded as used
            and the refusal is audited.
    """
    image_ids = _asked(image_ids)
    session.require(channel.permission, subject=_subject(image_ids))
    vault = session.vault
    with vault.index() as conn, vault.audited(conn) as work:
        filed = load_filed(conn, image_ids)
        outcome = authorise_within(work, session, filed, consents_of(conn, filed), image_ids,
                                   purpose, recipient, channel=channel,
                                   deidentified=deidentified)
    return outcome.allowed()


@dataclass(frozen=True)
class Outcome:
    """The gate's answer inside a unit of work: the use allowed, or the refusal it recorded."""

    answer: Authorisation | UseRefused

    def allowed(self) -> Authorisation:
        """Return the authorisation, or raise the refusal, once the unit has committed."""
        if isinstance(self.answer, UseRefused):
            raise self.answer
        return self.answer


def authorise_within(work: AuditedWork, session: Session, filed: Mapping[int, FiledImage],
                     consents: Mapping[int, list[Consent]], image_ids: tuple[int, ...],
                     purpose: Purpose, recipient: Recipient, *, channel: Channel,
                     deidentified: bool) -> Outcome:
    """Decide on images loaded inside this unit of work, and record the use in the same unit.

    Deciding inside the transaction that records the use is what keeps the
    decision and the record in agreement. The unit holds the index's write
    lock from its first read (:func:`clinfile.db.connection.transaction`),
    so a withdrawal cannot commit between the reading of the consents and
    the recording of the use: one committed before is read here and
    refuses; one made meanwhile waits for the lock, commits after, and lists
    this use among those already made, for the practice to ask back. The
    caller checks the role first, loads ``filed`` and ``consents`` on
    ``work.conn`` inside the unit, and calls :meth:`Outcome.allowed` after
    the unit, so that a refusal's audit row is committed before it is raised.
    """
    decisions = list(zip(image_ids, _rules(work.conn, image_ids, filed, consents, purpose,
                                           recipient, deidentified), strict=True))
    refused = _first_refused(decisions)
    if refused is not None:
        image_id, decision = refused
        work.record(_refusal_entry(session, image_ids, image_id, decision, purpose, recipient,
                                   channel))
        return Outcome(UseRefused(image_id, decision))
    actor = session.actor.name
    now = clock.stamp()
    uses = ConsentRepository(work.conn).add_uses([
        NewUse(image_id, filed[image_id].patient_id, str(purpose), recipient.word, str(channel),
               decision.consent_id, actor, now) for image_id, decision in decisions])
    work.record(AuditEntry(actor, "use.allowed", _subject(image_ids), {
        "purpose": str(purpose), "recipient": recipient.word, "channel": str(channel),
        "deidentified": deidentified, "consents": [d.consent_id for _, d in decisions]}))
    return Outcome(Authorisation(purpose, recipient, channel, tuple(decisions),
                                 tuple(u.id for u in uses)))


def consents_of(conn: Connection, filed: Mapping[int, FiledImage]) -> dict[int, list[Consent]]:
    """Every consent of each patient these images are filed to, by patient id."""
    records = ConsentRecords(conn)
    return {pid: records.for_patient(pid) for pid in {i.patient_id for i in filed.values()}}


def ensure_allowed(session: Session, image_ids: Iterable[int], purpose: Purpose,
                   recipient: Recipient, *, channel: Channel = Channel.EXPORT,
                   deidentified: bool = False) -> None:
    """Refuse, before anything is asked or made, a use :func:`authorise_use` would refuse.

    Nothing is recorded as used: the window asks this first, so that a
    person is never asked where to put what may not go at all.

    Raises:
        PolicyRefused: the person's role may not send images this way (audited).
        UseRefused: the rules refuse an image (audited).
    """
    image_ids = tuple(dict.fromkeys(image_ids))
    session.require(channel.permission, subject=_subject(image_ids))
    with session.vault.index() as conn:
        filed = load_filed(conn, image_ids)
        refused = _first_refused(zip(image_ids, _rules(conn, image_ids, filed,
                                                       consents_of(conn, filed), purpose,
                                                       recipient, deidentified), strict=True))
        if refused is not None:
            image_id, decision = refused
            session.vault.audit.record(conn, _refusal_entry(session, image_ids, image_id,
                                                            decision, purpose, recipient,
                                                            channel))
            raise UseRefused(image_id, decision)


def _asked(image_ids: Iterable[int]) -> tuple[int, ...]:
    image_ids = tuple(dict.fromkeys(image_ids))
    if not image_ids:
        raise ValueError("the consent gate needs at least one image")
    return image_ids


def _first_refused(decisions: Iterable[tuple[int, Decision]]) -> tuple[int, Refused] | None:
    """The first image the rules refused, with the refusal, or None when all are allowed."""
    return next(((i, d) for i, d in decisions if isinstance(d, Refused)), None)


def _subject(image_ids: tuple[int, ...]) -> str:
    return ", ".join(f"image {i}" for i in image_ids)


def _refusal_entry(session: Session, asked: tuple[int, ...], image_id: int, decision: Refused,
                   purpose: Purpose, recipient: Recipient, channel: Channel) -> AuditEntry:
    """The refusal of the first image refused, naming every image the use asked for."""
    return AuditEntry(session.actor.name, "use.refused", f"image {image_id}", {
        "purpose": str(purpose), "recipient": recipient.word, "channel": str(channel),
        "reason": decision.reason, "asked": list(asked)})


def _rules(conn: Connection, image_ids: tuple[int, ...], filed: Mapping[int, FiledImage],
           consents: Mapping[int, list[Consent]], purpose: Purpose, recipient: Recipient,
           deidentified: bool) -> list[Decision]:
    """Apply the rules to each image as loaded, reading the practice's policy once."""
    policy = load_policy(conn)
    today = clock.today()
    decisions: list[Decision] = []
    for image_id in image_ids:
        image = filed.get(image_id)
        if image is None:
            decisions.append(Refused(f"picture {image_id} is not filed to a patient yet",
                                     "file it to the patient first"))
        elif image.deleted:
            decisions.append(Refused(f"picture {image_id} was deleted at the end of its "
                                     "retention period", "nothing can; the picture is gone"))
        else:
            decisions.append(decide(image.facts, purpose, recipient, consents[image.patient_id],
                                    today=today, policy=policy, deidentified=deidentified))
    return decisions

