"""An insider's rewrite of the audit trail, as the attacks on the seals make it.

Someone holding the master key deletes the rows that tell on them and
chains the rest again with the audit key the master key gives, so that the
chain alone looks whole; the seals and the key file must still tell.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from clinfile.app.custody.audit import AuditEntry, AuditMark, AuditTrail
from clinfile.app.custody.crypto import derive_key
from clinfile.app.vault.vault import AUDIT_KEY
from clinfile.db.audit import AuditRepository, AuditRow
from clinfile.db.connection import INDEX_PROFILE, open_encrypted, transaction
from clinfile.db.settings import MetaRepository


def rechain(vault_path: Path, key: bytes, keep: Callable[[AuditRow], bool], *,
            and_seals: bool = False) -> AuditMark:
    """Keep only the rows ``keep`` allows, chained again, with a head to match.

    ``and_seals`` empties the seal table too. Returns the new last row's mark.
    """
    conn = open_encrypted(vault_path / "index.db", key, INDEX_PROFILE)
    try:
        audit_key = MetaRepository(conn).get(AUDIT_KEY)
        trail = AuditTrail(bytes.fromhex(audit_key) if audit_key else derive_key(key, "audit"),
                           vault_path / "audit-head.json")
        with transaction(conn):
            kept = [row for row in AuditRepository(conn).rows() if keep(row)]
            conn.execute("DELETE FROM audit")
            if and_seals:
                conn.execute("DELETE FROM audit_seal")
            for row in kept:
                last = trail.append(conn, AuditEntry(row.actor, row.action, row.subject,
                                                     json.loads(row.detail)),
                                    at=datetime.fromisoformat(row.at))
    finally:
        conn.close()
    trail.write_head(vault_path / "audit-head.json", last)
    return AuditMark.of(last)
