"""Whether the audit trail can be trusted, said in plain words.

The checks are the ones ``clinfile verify`` makes of the trail (its chain,
:meth:`app.custody.audit.AuditTrail.problems`, and its seals,
:meth:`app.vault.vault.Vault.seal_report`); this only words their answer for
a practice manager or privacy officer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChainVerdict:
    """The trail's state: whole, or the breaks found in it."""

    entries: int
    problems: tuple[str, ...]
    sealing: str = ""

    @property
    def whole(self) -> bool:
        """Whether no break was found."""
        return not self.problems

    @property
    def words(self) -> str:
        """One paragraph a person can act on."""
        if self.whole and self.entries == 1:
            return ("The audit trail can be trusted: its only entry was not changed after it "
                    f"was written, and none is missing after it. {self.sealing}").strip()
        if self.whole:
            return (f"The audit trail can be trusted: its {self.entries:,} entries follow one "
                    "another unbroken, none was changed after it was written, and none is "
                    f"missing from the end. {self.sealing}").strip()
        count = len(self.problems)
        return (f"The audit trail cannot be trusted: {count} "
                f"{'problem was' if count == 1 else 'problems were'} found. Entries may have "
                "been changed, removed or cut off, so what it shows from the first problem on "
                "is not proof of what happened. Keep this vault as it is and tell the "
                f"practice's privacy officer. {self.sealing}").strip()
