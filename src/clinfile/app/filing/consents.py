"""Which of a patient's consents a filing may name."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from clinfile.app.consent.model import Consent, Policy
from clinfile.app.consent.rules import filing_basis_problem
from clinfile.app.consent.vocabulary import ImageKind, Purpose


def consents_to_file_on(kind: ImageKind, consents: Iterable[Consent], *, today: date,
                        policy: Policy | None = None) -> list[Consent]:
    """Return the consents a filing of this kind may name, newest first.

    A clinical photo needs one the consent rules accept for it. Any other
    kind is filed on its own basis (implied, not required, the colleague's),
    and a consent for the patient's care that still holds is offered with it,
    so that the record names a consent that was recorded: the implied consent
    for pictures the patient sent, say, or a parent's.
    """
    usable = [c for c in consents
              if _holds_for_care(c, today)
              and filing_basis_problem(kind, c, today=today, policy=policy) is None]
    return sorted(usable, key=lambda c: (c.obtained_on, c.id), reverse=True)


def _holds_for_care(consent: Consent, today: date) -> bool:
    return (Purpose.CLINICAL_CARE in consent.purposes
            and consent.withdrawal_of(Purpose.CLINICAL_CARE) is None
            and not consent.expired_on(today))
