"""What the device import says to the person, in plain words."""

from __future__ import annotations

from app.ingest import events as ev


def photos(count: int) -> str:
    """'1 photo', '4 photos'."""
    return f"{count} photo{'' if count == 1 else 's'}"


def deletion_question(count: int) -> str:
    """The one question asked before an import, when the practice leaves it to the person."""
    these = "this photo" if count == 1 else f"these {count} photos"
    they = "it is" if count == 1 else "they are"
    return (f"Delete {these} from the phone once {they} safely in the vault? "
            "(Recommended — the guidance says not to keep patient photos on a phone.)")


def summary_words(finished: ev.Finished | None, deleted: int, kept: int, unread: int) -> str:
    """One line saying what the import did, and what the person must still do by hand.

    Args:
        finished: the import's last event (None if it never got going).
        deleted: photos deleted from the phone after their vault copy was verified.
        kept: photos safely in the vault that the phone would not let go of.
        unread: photos that could not be taken in and were left on the phone.
    """
    if finished is None:
        return "The import ended before it began."
    parts = [f"{photos(finished.imported)} imported"]
    if finished.duplicates:
        parts.append(f"{photos(finished.duplicates)} already in the vault")
    if finished.refused:
        parts.append(f"{photos(finished.refused)} in quarantine")
    parts.append(f"{photos(deleted)} deleted from the phone")
    words = ("Import stopped: " if finished.cancelled else "") + ", ".join(parts) + "."
    if kept:
        words += (f" The phone would not let Clinfile delete {photos(kept)}; "
                  "delete them on the phone yourself.")
    if unread:
        words += (f" {photos(unread).capitalize()} could not be read and "
                  f"{'is' if unread == 1 else 'are'} still on the phone; try them again.")
    return words
