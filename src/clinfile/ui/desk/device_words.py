"""What the device import says to the person, in plain words."""

from __future__ import annotations

from datetime import date, datetime

from clinfile.app import clock
from clinfile.app.ingest.devices import DeletionPolicy
from clinfile.app.ingest.receipt import photos

POLICY_WORDS = {
    DeletionPolicy.ALWAYS: ("The practice's setting: photos are deleted from the phone once "
                            "they are safely in the vault."),
    DeletionPolicy.NEVER: "The practice's setting: photos stay on the phone after the import.",
    DeletionPolicy.ASK: ("You will be asked whether to delete the photos from the phone once "
                         "they are safely in the vault."),
}


def policy_words(policy: DeletionPolicy) -> str:
    """What will become of the photos on the phone, said before Import is pressed."""
    return POLICY_WORDS[policy]


def deletion_question(count: int) -> str:
    """The one question asked before an import, when the practice leaves it to the person."""
    these = "this photo" if count == 1 else f"these {count} photos"
    they = "it is" if count == 1 else "they are"
    return (f"Delete {these} from the phone once {they} safely in the vault? "
            "(Recommended — the guidance says not to keep patient photos on a phone.)")


def safe_copies_words(count: int) -> str:
    """The offer to delete what an import left on the phone though it is safe in the vault."""
    return f"Delete the {photos(count)} already safe in the vault from the phone"


def day_words(day: date) -> str:
    """'Today', 'Yesterday' or '3 Mar 2026'."""
    today = clock.today()
    if day == today:
        return "Today"
    if (today - day).days == 1:
        return "Yesterday"
    return f"{day.day} {day:%b %Y}"


def taken_words(when: datetime, *, by_camera: bool) -> str:
    """'Taken today 08:05' by the camera's clock, else 'Saved 3 Mar 2026 08:05' by the file's."""
    local = when.astimezone()
    day = day_words(local.date())
    verb = "Taken" if by_camera else "Saved"
    return f"{verb} {day.lower() if day in ('Today', 'Yesterday') else day} {local:%H:%M}"
