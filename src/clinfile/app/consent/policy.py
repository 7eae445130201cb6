"""The practice's consent policy, read from the vault's settings.

The setting's name is declared here once with its default, so the rules, the
filing service and the command line read it the same way.
"""

from __future__ import annotations

from clinfile.app.consent.model import Policy
from clinfile.app.settings import read_settings
from clinfile.db.connection import Connection

WRITTEN_CONSENT_SETTING = "written_consent_for_clinical_photos"


def load_policy(conn: Connection) -> Policy:
    """Return the practice's consent policy; by default verbal consent is enough.

    Avant, "Employment obligations": a practice policy may include "whether you
    need to obtain written consent".
    """
    settings = read_settings(conn)
    return Policy(written_consent_for_clinical_photos=settings.written_consent_for_clinical_photos)
