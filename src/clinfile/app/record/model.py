"""A patient's photo record as the window shows it: pictures grouped by episode and body site.

Everything here is words and facts, never image bytes: the record of a
patient with five hundred pictures is a few hundred kilobytes, and the
thumbnails are read separately, a screenful at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinfile.app.clock import day_words, time_words
from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FiledImage
from clinfile.db.record import PictureFacts


@dataclass(frozen=True)
class Taken:
    """When a picture was taken, where anyone knows, and when the vault received it.

    A picture with no capture time (none from the camera, none given when it
    was filed) says so in words, with the day it was received: receiving it
    is never shown, spanned or searched as the time it was taken. On a
    timeline it takes the place of the moment it was received, marked so.
    """

    at: str | None
    received: str

    @classmethod
    def of(cls, image: FiledImage, facts: PictureFacts) -> Taken:
        """When a filed picture was taken, by the rule of :meth:`FiledImage.when_taken`."""
        return cls(image.when_taken(facts.captured_at), facts.received_at)

    @property
    def known(self) -> bool:
        """Whether anyone knows when the picture was taken."""
        return self.at is not None

    @property
    def sorts_as(self) -> str:
        """Where a timeline places the picture (ISO): when taken, else when received."""
        return self.at or self.received

    def day(self) -> str:
        """'05/06/2026', or 'date taken not known; received 02/12/2026'."""
        return day_words(self.at) if self.at else self._unknown(day_words)

    def time(self) -> str:
        """'05/06/2026 14:03', or 'date taken not known; received 02/12/2026 11:40'."""
        return time_words(self.at) if self.at else self._unknown(time_words)

    def said(self) -> str:
        """'taken 05/06/2026', or 'received 02/12/2026 (date taken not known)', for a sentence."""
        if self.at:
            return f"taken {day_words(self.at)}"
        return f"received {day_words(self.received)} (date taken not known)"

    def _unknown(self, words) -> str:
        return f"date taken not known; received {words(self.received)}"


def taken_span(takens: list[Taken]) -> str:
    """'22/10/2006 to 13/08/2010' over the pictures' known dates, newest first in ``takens``.

    A picture whose date taken is not known is counted apart ('; 1 with date
    taken not known'), never spanned as if taken when it was received.
    """
    known = [t for t in takens if t.known]
    unknown = len(takens) - len(known)
    if not known:
        return "date taken not known"
    span = known[-1].day() if len(known) == 1 else f"{known[-1].day()} to {known[0].day()}"
    return span + (f"; {unknown} with date taken not known" if unknown else "")


@dataclass(frozen=True)
class RecordPicture:
    """One picture in a patient's record, with everything a clinician asks of it.

    Attributes:
        taken: when it was taken, where known, and when it was received.
        here: still in this patient's record; False when it was moved to another patient.
        history: its filing and every correction since, in words, oldest first.
        exports: every export of it, in words, oldest first, each followed by any
            incident reported about it (sent to the wrong person).
        pixels_per_mm: its physical scale, when known; None otherwise.
        consent_code: the printed code of the consent it is kept on, if any.
        deleted_on: when its bytes were deleted at the end of retention (ISO), if they were.
        site_was: the body site it was first filed as, when a correction changed it.
        site_corrected: that correction in words: "was: left ankle, corrected … by …".
    """

    image_id: int
    episode_id: int
    episode: str
    kind: ImageKind
    body_site: BodySite
    description: str
    clinical_purpose: str
    taken_by: str
    taken: Taken
    filed_at: str
    filed_by: str
    came_from: str
    file_name: str
    camera: str
    width: int
    height: int
    basis: str
    consent: str
    limits: str
    history: tuple[str, ...]
    exports: tuple[str, ...]
    consent_code: str = ""
    here: bool = True
    moved_to: str = ""
    deleted: bool = False
    pixels_per_mm: float | None = None
    deleted_on: str = ""
    site_was: str = ""
    site_corrected: str = ""

    @property
    def shown(self) -> bool:
        """Whether the picture itself can be shown: in this record and not deleted."""
        return self.here and not self.deleted

    def gone_words(self, subject: str = "This picture") -> str:
        """Why the picture cannot be shown, in a sentence; empty while it can."""
        return gone_words(subject, deleted_on=self.deleted_on if self.deleted else "",
                          moved_to="" if self.here else self.moved_to)


@dataclass(frozen=True)
class RecordGroup:
    """Pictures of one episode and one body site, newest first."""

    episode: str
    site: str
    pictures: tuple[RecordPicture, ...]

    @property
    def title(self) -> str:
        """'Leg ulcer — left lower leg'; the episode alone when it names the site already.

        An episode named for a site since corrected is headed by the site as it
        stands: 'Rash left ankle' corrected to the right knee heads 'Rash right
        knee', and :attr:`corrections` says what it was.
        """
        episode = self.episode
        for was in dict.fromkeys(p.site_was for p in self.pictures if p.site_was):
            episode = re.sub(r"\s+".join(map(re.escape, was.split())), self.site, episode,
                             flags=re.IGNORECASE)
        named = self.site.casefold() in " ".join(episode.casefold().split())
        title = episode if named else (f"{episode} — {self.site}" if episode else self.site)
        return title[:1].upper() + title[1:]

    @property
    def corrections(self) -> tuple[str, ...]:
        """Each earlier site of the group's pictures: 'was: left ankle, corrected … by …'."""
        return tuple(dict.fromkeys(p.site_corrected for p in self.pictures if p.site_corrected))

    @property
    def newest(self) -> str:
        """Where the group's newest picture stands on the timeline (ISO)."""
        return self.pictures[0].taken.sorts_as


@dataclass(frozen=True)
class PatientRecord:
    """A patient's pictures on a timeline, newest group first, and those moved away.

    Attributes:
        written: where the vault's writes stood when the record was read
            (see :meth:`RecordService.written`); when they move on, it is read again.
    """

    patient_id: int
    name: str
    born: str
    record_number: str
    groups: tuple[RecordGroup, ...]
    moved_away: tuple[RecordPicture, ...]
    written: tuple[int, ...] = ()

    @property
    def pictures(self) -> list[RecordPicture]:
        """Every picture still in the record, in the order the timeline shows them."""
        return [p for g in self.groups for p in g.pictures]

    @property
    def count(self) -> int:
        """How many pictures the record holds now."""
        return sum(len(g.pictures) for g in self.groups)


@dataclass(frozen=True)
class FiledLine:
    """One filing in a list of filings (today's, or a search's): enough to jump to the record.

    Attributes:
        moved: a move since filing, short enough for the line (from whom, by whom,
            when, why), or empty when the picture is still with the first patient.
        corrected: what else was corrected since filing ("body site, description"),
            or empty.
        changes: every correction in full, oldest first, as the records say it.
    """

    image_id: int
    patient_id: int
    patient: str
    taken: Taken
    filed_at: str
    filed_by: str
    kind: ImageKind
    body_site: str
    description: str
    deleted: bool = False
    moved: str = ""
    corrected: str = ""
    changes: tuple[str, ...] = ()


def gone_words(subject: str, *, deleted_on: str = "", moved_to: str = "") -> str:
    """Say why a picture cannot be shown, naming the day it was deleted or where it went.

    'This picture was deleted at the end of its retention period on 02/12/2026.'
    or '… was moved to another patient's record: NGUYEN, May (record 900002).';
    empty while the picture is neither deleted nor moved.
    """
    if deleted_on:
        return (f"{subject} was deleted at the end of its retention period on "
                f"{day_words(deleted_on)}.")
    if moved_to:
        return f"{subject} was moved to another patient's record: {moved_to}."
    return ""
