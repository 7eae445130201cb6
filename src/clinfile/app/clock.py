"""The application's one clock: UTC, written to the millisecond.

Every moment Clinfile records comes from here, so stamps written by
different parts compare as text in time order, and tests can set the time
where they need it (:func:`set_source`) instead of patching each module.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from clinfile.app.escaping import escaped


def _system() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system


def now() -> datetime:
    """The current moment, in UTC."""
    return _source()


def stamp(at: datetime | None = None) -> str:
    """A moment as it is written into the vault: ISO 8601, UTC, to the millisecond."""
    return (at or now()).astimezone(UTC).isoformat(timespec="milliseconds")


def today() -> date:
    """Today's date where the practice is (the computer's own time zone)."""
    return now().astimezone().date()


def local_time(stamp: str) -> str:
    """'01/12/2026 21:49:14': a stored stamp as the practice's clock showed it.

    A day stored alone ('2026-12-01', a day a person gave) has no time to
    move and reads as the day, '01/12/2026'.
    """
    try:
        if len(stamp) == len("2026-12-01"):
            return date.fromisoformat(stamp).strftime("%d/%m/%Y")
        return datetime.fromisoformat(stamp).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return escaped(stamp)


def day_words(iso: str | None) -> str:
    """'05/06/2026' in local time, from an ISO time or date; 'date not known' without one."""
    if not iso:
        return "date not known"
    return _local_words(iso, "%d/%m/%Y")


def time_words(iso: str | None) -> str:
    """'05/06/2026 14:03' in local time; just the day when only a date is known."""
    if not iso or len(iso) <= 10:
        return day_words(iso)
    return _local_words(iso, "%d/%m/%Y %H:%M")


def _local_words(iso: str, layout: str) -> str:
    """An ISO time laid out on the practice's clock.

    A time stored without a zone is already local; text that is no time is given back as stored.
    """
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime(layout)


def set_source(source: Callable[[], datetime] | None) -> None:
    """Take the time from ``source`` from now on; None goes back to the computer's clock."""
    global _source
    _source = source or _system
