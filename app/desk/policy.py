"""Setting the practice's consent policy, which the consent rules read.

The consent package declares the setting's name and reads it; changing it
belongs with the other practice settings: admins only, audited.
"""

from __future__ import annotations

from app.consent.model import Policy
from app.consent.policy import WRITTEN_CONSENT_SETTING, load_policy
from app.security.audit import AuditEntry
from app.security.roles import Permission
from app.security.session import Session
from db.connection import transaction
from db.settings import SettingsRepository


class ConsentPolicyService:
    """Reading the consent policy for anyone; changing it for admins."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def load(self) -> Policy:
        """Return the practice's consent policy."""
        self._session.ensure_unlocked()
        with self._session.vault.index() as conn:
            return load_policy(conn)

    def require_written_consent(self, required: bool) -> Policy:
        """Decide whether clinical photos need signed, written consent before filing."""
        self._session.require(Permission.CHANGE_SETTINGS)
        before = self.load()
        vault = self._session.vault
        with vault.index() as conn:
            with transaction(conn):
                SettingsRepository(conn).put(WRITTEN_CONSENT_SETTING, bool(required))
                row = vault.audit.append(conn, AuditEntry(
                    self._session.actor.name, "settings.changed", "",
                    {WRITTEN_CONSENT_SETTING: {
                        "from": before.written_consent_for_clinical_photos, "to": required}}))
        vault.audit.publish_head(row)
        return self.load()
