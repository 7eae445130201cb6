"""The words for who agreed, who asked, and where a picture came from: one place for all.

The filing desk and the summary PDF say these the same way, so a reader
never takes a parent's consent for the patient's own, a receptionist's note
for a clinician's, or a picture the patient sent for one a clinician took.
"""

from __future__ import annotations

from clinfile.app.consent.model import Consent, DecisionMaker
from clinfile.app.consent.vocabulary import Method
from clinfile.app.ingest.events import SourceKind

_METHOD_NAMES = {Method.VERBAL: "verbal", Method.WRITTEN: "written", Method.IMPLIED: "implied"}
_CAME_FROM = {
    SourceKind.DROP_FOLDER: "sent in by the patient through the drop folder (an email or "
                            "message attachment)",
    SourceKind.DEVICE: "taken by a clinician and imported from a phone or camera over a cable",
    SourceKind.MANUAL: "added by hand at the workstation",
}


def decided_words(decided_by: DecisionMaker) -> str:
    """'the patient', or 'Jane Lee (mother), for the patient'."""
    if decided_by.is_patient:
        return "the patient"
    relationship = f" ({decided_by.relationship})" if decided_by.relationship else ""
    return f"{decided_by.name}{relationship}, for the patient"


def consent_name(consent: Consent) -> str:
    """'Verbal consent of 12/03/2026 (ABCD1234)': short enough for a drop-down list."""
    method = _METHOD_NAMES.get(consent.method, consent.method.label)
    waiting = ", waiting for the signed form" if consent.awaiting_signature else ""
    return (f"{method.capitalize()} consent of {consent.obtained_on:%d/%m/%Y} "
            f"({consent.code}{waiting})")


def consent_people_words(consent: Consent) -> str:
    """'given by the patient, obtained by Ann Lee': who decided, and who asked them."""
    return f"given by {decided_words(consent.decided_by)}, obtained by {consent.obtained_by}"


def consent_words(consent: Consent) -> str:
    """'Verbal consent of 12/03/2026 (ABCD1234): given by the patient, obtained by Ann Lee'."""
    return f"{consent_name(consent)}: {consent_people_words(consent)}"


def consent_reach_words(consent: Consent) -> str:
    """'clinical care; the treating team': what a consent allows, and for whom."""
    purposes = ", ".join(sorted(p.label for p in consent.purposes))
    seen_by = ", ".join(r.label for r in consent.recipients)
    return f"{purposes}; {seen_by}"


def came_from_words(source_kind: str) -> str:
    """Where a picture came from: sent in by the patient, or taken by a clinician."""
    try:
        return _CAME_FROM[SourceKind(source_kind)]
    except ValueError:
        return source_kind
