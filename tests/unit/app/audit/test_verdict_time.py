"""The trail's verdict says when it was sealed as the practice's clock showed it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from clinfile.app.audit.service import AuditService


def test_the_seal_is_dated_in_the_practice_s_local_time(login, app_clock, practice_time_zone):
    practice_time_zone("Australia/Melbourne")
    app_clock.hold(datetime(2026, 12, 2, 4, 2, 2, 93000, tzinfo=UTC))
    admin = login()
    words = AuditService(admin).verdict().words
    assert "02/12/2026 15:02:02" in words, words
    assert not re.search(r"\d{4}-\d\d-\d\dT", words), words
