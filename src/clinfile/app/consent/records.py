"""Reading consents from the index as the rules engine's frozen :class:`Consent` values."""

from __future__ import annotations

from datetime import date

from clinfile.app.consent.model import Consent, DecisionMaker, Disclosure, Withdrawal
from clinfile.app.consent.vocabulary import Method, Purpose, Recipient
from clinfile.db.connection import Connection
from clinfile.db.consents import ConsentRepository, ConsentRow


class ConsentRecords:
    """Consents of the index, with their withdrawals, as domain values."""

    def __init__(self, conn: Connection) -> None:
        self._repo = ConsentRepository(conn)

    def for_patient(self, patient_id: int) -> list[Consent]:
        """Return every consent of a patient, withdrawn and expired ones too."""
        return [self._consent(row) for row in self._repo.for_patient(patient_id)]

    def find(self, reference: str | int) -> Consent | None:
        """Return the consent with this id or printed short code, or None."""
        text = str(reference).strip()
        row = self._repo.by_id(int(text)) if text.isdigit() else self._repo.by_code(text)
        return self._consent(row) if row else None

    def _consent(self, row: ConsentRow) -> Consent:
        withdrawals = tuple(
            Withdrawal(frozenset(Purpose(p) for p in w.purposes),
                       date.fromisoformat(w.withdrawn_on), w.recorded_by, w.reason)
            for w in self._repo.withdrawals(row.id)
        )
        return Consent(
            id=row.id,
            patient_id=row.patient_id,
            code=row.code,
            method=Method(row.method),
            purposes=frozenset(Purpose(p) for p in row.purposes),
            recipients=tuple(Recipient.parse(r) for r in row.recipients),
            obtained_by=row.obtained_by,
            obtained_on=date.fromisoformat(row.obtained_on),
            decided_by=DecisionMaker(row.decided_by_name, row.decided_by_relationship),
            disclosure=Disclosure(row.told_why, row.told_how_used, row.told_who_sees),
            interpreter=row.interpreter,
            expires_on=date.fromisoformat(row.expires_on) if row.expires_on else None,
            images=frozenset(row.images),
            signed_form_blob=row.signed_form_blob,
            note=row.note,
            withdrawals=withdrawals,
        )
