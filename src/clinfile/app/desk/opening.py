"""Opening the desk for a person: unlock, then read the practice's settings and policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clinfile.app.consent.model import Policy
from clinfile.app.security.session import Session
from clinfile.app.settings import PracticeSettings, SettingsService


@dataclass(frozen=True)
class OpenedDesk:
    """A person's session with what the window needs to know from the start."""

    session: Session
    settings: PracticeSettings

    @property
    def policy(self) -> Policy:
        """The practice's consent policy, which is one of its settings."""
        return Policy(written_consent_for_clinical_photos=(
            self.settings.written_consent_for_clinical_photos))


def open_desk(vault: Path, user: str, password: str) -> OpenedDesk:
    """Log in and read the settings; the session's idle lock follows the practice setting."""
    session = Session.login(Path(vault), user, password)
    return desk_for(session)


def desk_for(session: Session) -> OpenedDesk:
    """Read what the window needs for an already open session."""
    settings = SettingsService(session).load()
    session.idle_seconds = settings.auto_lock_minutes * 60
    return OpenedDesk(session, settings)
