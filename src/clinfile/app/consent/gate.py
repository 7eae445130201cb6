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

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from clinfile.app import clock
from clinfile.app.consent.policy import load_policy
from clinfile.app.consent.records import ConsentRecords
from clinfile.app.consent.rules import Allowed, Decision, Refused, decide
from clinfile.app.consent.vocabulary import Purpose, Recipient
from clinfile.app.filing.model import FiledImage, load_filed
from clinfile.app.security.audit import AuditEntry
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
        [decision] = _rules(conn, (image_id,), load_filed(conn, [image_id]), purpose, recipient,
                            deidentified)
    return decision


def authorise_use(session: Session, image_ids: Iterable[int], purpose: Purpose,
                  recipient: Recipient, *, channel: Channel = Channel.EXPORT,
                  deidentified: bool = False) -> Authorisation:
    """Allow a use of some images only if the consent rules allow it for every one.

    Raises:
        PolicyRefused: the person's role may not send images this way (audited).
        UseRefused: the rules refuse an image; nothing is recorded as used
            and the refusal is audited.
    """
    image_ids = tuple(dict.fromkeys(image_ids))
    if not image_ids:
        raise ValueError("authorise_use needs at least one image")
    session.require(channel.permission, subject=", ".join(f"image {i}" for i in image_ids))
    vault = session.vault
    actor = session.actor.name
    with vault.index() as conn:
        filed, decisions = _decisions(session, conn, image_ids, purpose, recipient, channel,
                                      deidentified)
        with vault.audited(conn) as work:
            repo = ConsentRepository(conn)
            now = clock.stamp()
            uses = [repo.add_use(NewUse(image_id, filed[image_id].patient_id, str(purpose),
                                        recipient.word, str(channel), decision.consent_id,
                                        actor, now))
                    for image_id, decision in decisions]
            work.record(AuditEntry(
                actor, "use.allowed", ", ".join(f"image {i}" for i in image_ids), {
                    "purpose": str(purpose), "recipient": recipient.word,
                    "channel": str(channel), "deidentified": deidentified,
                    "consents": [d.consent_id for _, d in decisions]}))
    return Authorisation(purpose, recipient, channel, tuple(decisions),
                         tuple(u.id for u in uses))


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
    session.require(channel.permission, subject=", ".join(f"image {i}" for i in image_ids))
    with session.vault.index() as conn:
        _decisions(session, conn, image_ids, purpose, recipient, channel, deidentified)


def _decisions(session: Session, conn: Connection, image_ids: tuple[int, ...],
               purpose: Purpose, recipient: Recipient, channel: Channel,
               deidentified: bool) -> tuple[dict[int, FiledImage], list[tuple[int, Decision]]]:
    """The images as they stand and each one's decision, loaded once.

    The first refusal is audited and raised as :class:`UseRefused`.
    """
    filed = load_filed(conn, image_ids)
    decisions = list(zip(image_ids, _rules(conn, image_ids, filed, purpose, recipient,
                                           deidentified), strict=True))
    refused = next(((i, d) for i, d in decisions if not d.allowed), None)
    if refused is not None:
        image_id, decision = refused
        session.vault.audit.record(conn, AuditEntry(
            session.actor.name, "use.refused", f"image {image_id}", {
                "purpose": str(purpose), "recipient": recipient.word, "channel": str(channel),
                "reason": decision.reason}))
        raise UseRefused(image_id, decision)
    return filed, decisions


def _rules(conn: Connection, image_ids: tuple[int, ...], filed: dict[int, FiledImage],
           purpose: Purpose, recipient: Recipient, deidentified: bool) -> list[Decision]:
    """Apply the rules to each image, reading the policy and each patient's consents once."""
    policy = load_policy(conn)
    records = ConsentRecords(conn)
    consents = {pid: records.for_patient(pid) for pid in {i.patient_id for i in filed.values()}}
    today = clock.today()
    decisions: list[Decision] = []
    for image_id in image_ids:
        image = filed.get(image_id)
        if image is None:
            decisions.append(Refused(f"image {image_id} is not filed to a patient yet",
                                     "file it to the patient first"))
        elif image.deleted:
            decisions.append(Refused(f"image {image_id} was deleted at the end of its "
                                     "retention period", "nothing can; the image is gone"))
        else:
            decisions.append(decide(image.facts, purpose, recipient, consents[image.patient_id],
                                    today=today, policy=policy, deidentified=deidentified))
    return decisions

