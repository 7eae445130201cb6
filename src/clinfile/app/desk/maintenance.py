"""The practice manager's care of the vault from the window: verify and back up.

The same steps as ``clinfile verify`` and ``clinfile backup``: the role is
checked in the core and the act is audited.
"""

from __future__ import annotations

from pathlib import Path

from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.vault.backup import BackupReport, backup_vault
from clinfile.app.vault.verify import VerifyReport, verify_vault


def verify(session: Session) -> VerifyReport:
    """Check every part of the vault and audit that it was checked."""
    session.require(Permission.VERIFY_VAULT)
    report = verify_vault(session.vault)
    session.audit("vault.verified", "", {"ok": report.ok, "problems": len(report.problems)})
    return report


def back_up(session: Session, dest: Path) -> BackupReport:
    """Bring the encrypted copy in ``dest`` up to date (a new folder starts one); audit it."""
    session.require(Permission.BACKUP_VAULT)
    report = backup_vault(session.vault, Path(dest))
    session.audit("vault.backed_up", str(report.root.resolve()),
                  {"copied": len(report.copied), "copied_bytes": report.copied_bytes})
    return report
