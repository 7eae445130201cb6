"""Finding filings again: today's at this workstation, and earlier ones by what they say.

Both answer with lines that name the patient and the picture, so a person
can check the day's work or a search's result and jump to the record. The
filings are read as they now stand, corrections applied: a picture moved
to the right patient is found under that patient, with its corrected site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from clinfile.app import clock
from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.escaping import escaped
from clinfile.app.filing.model import FiledImage, filed_as_they_stand
from clinfile.app.filing.service import workstation_name
from clinfile.app.record.model import FiledLine, Taken, time_words
from clinfile.app.record.service import correction_said, moment, patient_names
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.db.record import RecordQueries

# A search shows at most this many filings, newest first, and says how many more.
MOST_SHOWN = 200
# A move's reason longer than this is cut short on its line; the whole of it is in its details.
_REASON_ON_THE_LINE = 60


@dataclass(frozen=True)
class FindRequest:
    """What to look for; every part left empty matches everything.

    ``since`` and ``until`` are the days the pictures were taken (both included):
    a picture whose date taken is not known is not found by them, as nobody
    can say it falls between them; :attr:`Found.undated` counts those left out.
    """

    words: str = ""
    patient_id: int | None = None
    since: date | None = None
    until: date | None = None
    site: str = ""
    kind: ImageKind | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing was asked for (every filing would match)."""
        return not (self.words.strip() or self.patient_id or self.since or self.until
                    or self.site or self.kind)


@dataclass(frozen=True)
class Found:
    """A search's filings, newest first, and how many matched in all.

    ``undated`` counts the filings that matched all but the dates asked for,
    and were left out because their date taken is not known.
    """

    lines: tuple[FiledLine, ...]
    matched: int
    undated: int = 0


def filed_today(session: Session, *, now: datetime | None = None,
                workstation: str | None = None) -> list[FiledLine]:
    """The pictures filed since midnight (local time) at this workstation, newest first."""
    session.require(Permission.VIEW_IMAGES, subject="today's filings")
    here = workstation or workstation_name()
    local_now = (now or clock.now().astimezone()).astimezone()
    midnight = datetime.combine(local_now.date(), time(), local_now.tzinfo)
    since = midnight.astimezone(UTC).isoformat(timespec="seconds")
    with session.vault.index() as conn:
        queries = RecordQueries(conn)
        ids = [e.image_id for e in queries.filed_events(since) if e.workstation == here]
        images = filed_as_they_stand(conn, queries.filings(ids))
        lines = _lines(queries, images, _taken(queries, images))
    # The audit trail's order is the order of filing, to the instant.
    order = {image_id: n for n, image_id in enumerate(ids)}
    return sorted(lines, key=lambda line: order[line.image_id], reverse=True)


def find_filings(session: Session, request: FindRequest) -> Found:
    """Filings matching every part of the request, as they now stand, newest first."""
    session.require(Permission.VIEW_IMAGES, subject="finding filings")
    words = request.words.casefold().split()
    with session.vault.index() as conn:
        queries = RecordQueries(conn)
        filings = (queries.filings_touching(request.patient_id) if request.patient_id
                   else queries.all_filings())
        images = filed_as_they_stand(conn, filings)
        taken = _taken(queries, images)
        episodes = queries.episodes({i.episode_id for i in images})
        but_dates = [i for i in images if _matches(i, request, words, episodes)]
        matching = [i for i in but_dates if _taken_within(taken[i.image_id], request)]
        matching.sort(key=lambda i: (moment(taken[i.image_id].sorts_as), i.image_id),
                      reverse=True)
        lines = _lines(queries, matching[:MOST_SHOWN], taken)
    undated = sum(1 for i in but_dates if not taken[i.image_id].known) \
        if request.since or request.until else 0
    return Found(tuple(lines), len(matching), undated)


def _taken(queries: RecordQueries, images: list[FiledImage]) -> dict[int, Taken]:
    """When each picture was taken, where known, and when it was received, by its id."""
    facts = queries.facts(i.image_id for i in images)
    return {i.image_id: Taken.of(i, facts[i.image_id]) for i in images}


def _taken_within(taken: Taken, request: FindRequest) -> bool:
    """Whether the picture was taken between the days asked (any day when none was asked)."""
    if not (request.since or request.until):
        return True
    day = _day(taken.at) if taken.at else None
    if day is None:
        return False
    return (request.since or day) <= day <= (request.until or day)


def _matches(image: FiledImage, request: FindRequest, words: list[str],
             episodes: dict[int, str]) -> bool:
    """Whether the picture matches every part asked for but the days it was taken."""
    if request.patient_id and image.patient_id != request.patient_id:
        return False
    if request.kind and image.kind != request.kind:
        return False
    if request.site and image.body_site.site != request.site:
        return False
    text = " ".join((image.description, image.body_site.detail, image.clinical_purpose,
                     episodes.get(image.episode_id, ""))).casefold()
    return all(word in text for word in words)


def _day(iso: str) -> date | None:
    """The day a stored time fell on at the practice; a time without a zone is already local.

    A filing's own stamp is UTC: compared as written, a picture filed in the
    practice's evening would be found on the day after.
    """
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return (moment.astimezone() if moment.tzinfo else moment).date()


def _lines(queries: RecordQueries, images: list[FiledImage],
           taken: dict[int, Taken]) -> list[FiledLine]:
    moves = {pid for i in images for c in i.corrections if c.what == "patient"
             for pid in (c.from_patient_id, c.to_patient_id)}
    names = patient_names(queries, {i.patient_id for i in images} | moves)
    people = queries.people()

    def person(name: str) -> str:
        return people.get(name, name)

    return [FiledLine(image_id=i.image_id, patient_id=i.patient_id,
                      patient=names.get(i.patient_id, "a patient"), taken=taken[i.image_id],
                      filed_at=i.filed_at, filed_by=person(i.filed_by),
                      kind=i.kind, body_site=i.body_site.label,
                      description=escaped(i.description),
                      deleted=i.deleted, moved=_moved(i, names, person),
                      corrected=", ".join(dict.fromkeys(
                          c.what.replace("-", " ") for c in i.corrections
                          if c.what != "patient")),
                      changes=tuple(correction_said(c, names, person) for c in i.corrections))
            for i in images]


def _moved(image: FiledImage, names: dict[int, str], person: Callable[[str], str]) -> str:
    """'from TRAN, Linh (record 900002) by Dr Ana Patel, 02/12/2026 10:03: wrong patient'.

    The line names where the picture was first filed and the last move's who,
    when and why; every move in full is in ``changes``.
    """
    moves = [c for c in image.corrections if c.what == "patient"]
    if not moves:
        return ""
    last = moves[-1]
    reason = escaped(last.reason)
    reason = reason if len(reason) <= _REASON_ON_THE_LINE else \
        reason[:_REASON_ON_THE_LINE - 1].rstrip() + "…"
    return (f"from {names.get(moves[0].from_patient_id, 'a patient')} by "
            f"{person(last.corrected_by)}, {time_words(last.corrected_at)}: {reason}")
