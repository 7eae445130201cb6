"""A withdrawal said in words a practice can act on: which pictures left, how, to whom, when.

Withdrawing stops every later use, but not what already left the vault.
:meth:`ConsentService.withdraw` decides which uses the withdrawal touches;
this module only tells them, so the command line and the window list the
same uses under the same headings. A picture sent under a consent that is
now withdrawn may need asking back, and one whose sending stopped half way
may or may not have reached the recipient: both are followed up.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinfile.app.consent.service import ConsentService, WithdrawalResult
from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.counting import counted
from clinfile.app.filing.model import FiledImage, filed_as_they_stand
from clinfile.app.record.model import day_words, time_words
from clinfile.app.record.service import recipient_words
from clinfile.app.security.session import Session
from clinfile.app.uses.gate import Channel
from clinfile.db.consents import UseRow
from clinfile.db.record import RecordQueries

SENT_HEADING = "Already sent before the withdrawal (ask for these back if needed):"
NOT_KNOWN_HEADING = ("Allowed under this consent, not known to be sent (the sending stopped "
                     "before it finished; check the folder or ask the recipient):")

_SENT_AS = {Channel.EXPORT: "exported", Channel.PRINT: "printed", Channel.SHARE: "shared",
            Channel.PACS: "sent to the imaging archive"}


@dataclass(frozen=True)
class WithdrawalSaid:
    """A withdrawal as recorded, with each use it touches in a sentence, oldest first."""

    result: WithdrawalResult
    sent: tuple[str, ...]
    not_known: tuple[str, ...]

    @property
    def purposes_words(self) -> str:
        """'education, research': what the patient took back."""
        return ", ".join(sorted(p.label for p in self.result.purposes))

    @property
    def sent_numbered(self) -> tuple[str, ...]:
        """The already-sent lines, each led by its picture's number for the next command."""
        return _numbered(self.result.uses_already_made, self.sent)

    @property
    def not_known_numbered(self) -> tuple[str, ...]:
        """The not-known-sent lines, each led by its picture's number for the next command."""
        return _numbered(self.result.uses_not_known_sent, self.not_known)

    @property
    def follow_up(self) -> str:
        """How many pictures the practice follows up, or that none need it."""
        if not self.sent and not self.not_known:
            return ("Nothing was sent under this consent for them, so there is nothing to "
                    "follow up.")
        counts = [f"{counted(len(lines), 'picture')} {what}"
                  for lines, what in ((self.sent, "already sent"),
                                      (self.not_known, "not known to be sent")) if lines]
        return f"Follow up {' and '.join(counts)}."


def withdraw_and_say(session: Session, reference: str | int,
                     purposes: frozenset[Purpose] | None = None, *,
                     reason: str = "") -> WithdrawalSaid:
    """Record the withdrawal by the one rule, then say each use it touches.

    Raises:
        ConsentError: the purposes were not part of the consent, or are withdrawn already.
    """
    result = ConsentService(session).withdraw(reference, purposes, reason=reason)
    with session.vault.index() as conn:
        queries = RecordQueries(conn)
        images = {i.image_id: i for i in filed_as_they_stand(
            conn, queries.filings_touching(result.consent.patient_id))}
        taken = {i: f.captured_at for i, f in queries.facts(list(images)).items()}
        people = queries.people()
    return WithdrawalSaid(
        result,
        tuple(_use_words(u, images, taken, people) for u in result.uses_already_made),
        tuple(_use_words(u, images, taken, people) for u in result.uses_not_known_sent))


def _use_words(use: UseRow, images: dict[int, FiledImage], taken: dict[int, str | None],
               people: dict[str, str]) -> str:
    """One use in a sentence: which picture, how it left, what for, to whom, when, by whom.

    'The picture of the left ankle taken 13/08/2025: exported for education to
    the students, 02/12/2026 10:14, by Dr Priya Patel'.
    """
    how = _SENT_AS.get(_channel(use.channel), "sent")
    return (f"{_picture_words(use.image_id, images, taken)}: {how} for "
            f"{Purpose(use.purpose).label} to {recipient_words(use.recipient)}, "
            f"{time_words(use.used_at)}, by {people.get(use.used_by, use.used_by)}")


def _picture_words(image_id: int, images: dict[int, FiledImage],
                   taken: dict[int, str | None]) -> str:
    """The picture as the person knows it, by its site and day; they have no number to look up."""
    image = images.get(image_id)
    if image is None:
        return "A picture no longer in this patient's record"
    when = image.taken_at or taken.get(image_id) or image.filed_at
    return f"The picture of the {image.body_site.label} taken {day_words(when)}"


def _numbered(uses: tuple[UseRow, ...], lines: tuple[str, ...]) -> tuple[str, ...]:
    """'Picture 4, the picture of the left ankle taken 13/08/2025: exported …'.

    On the command line the person types the number to check or correct the
    picture next; each line was said from the use in the same place.
    """
    return tuple(f"Picture {use.image_id}, {line[:1].lower()}{line[1:]}"
                 for use, line in zip(uses, lines, strict=True))


def _channel(word: str) -> Channel | None:
    try:
        return Channel(word)
    except ValueError:
        return None
