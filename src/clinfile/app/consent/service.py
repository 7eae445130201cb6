"""Recording consents, attaching signed forms and withdrawing, with role checks and audit.

Who may record which consent follows ``clinfile.app.security.roles``: a clinician
records consent, because it is obtained in the consultation (AMA: "Before
taking a clinical image, a doctor should obtain appropriate consent for the
photo and document this consent in the health record"); reception records
only a consent that is already documented — a signed form, implied consent
for an image the patient sent, or one a named clinician obtained.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from clinfile.app import clock
from clinfile.app.consent.deciders import decider_problem
from clinfile.app.consent.model import Consent, DecisionMaker, Disclosure
from clinfile.app.consent.records import ConsentRecords
from clinfile.app.consent.rules import named_group_refusal
from clinfile.app.consent.vocabulary import Method, Purpose, Recipient, normalised
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.security.roles import Permission, PolicyRefused, Role
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import VaultError
from clinfile.db.connection import Connection
from clinfile.db.consents import SENT, ConsentRepository, NewConsent, UseRow
from clinfile.db.filing import PatientLookup
from clinfile.db.users import UserRepository, UserRow

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8


class ConsentError(VaultError):
    """A consent that cannot be recorded or changed as asked; ``str()`` says why."""


@dataclass(frozen=True)
class ConsentRequest:
    """What a person records about one consent.

    ``images`` limits the consent to some of the patient's images; empty means
    all of them.
    """

    patient_id: int
    method: Method
    purposes: frozenset[Purpose]
    recipients: tuple[Recipient, ...]
    obtained_by: str
    obtained_on: date
    decided_by: DecisionMaker = DecisionMaker()
    disclosure: Disclosure = Disclosure()
    interpreter: str = ""
    expires_on: date | None = None
    images: frozenset[int] = frozenset()
    signed_form_blob: str | None = None
    note: str = ""


@dataclass(frozen=True)
class WithdrawalResult:
    """A withdrawal as recorded, and the uses already made that the practice may need to chase.

    ``uses_not_known_sent`` were allowed but never confirmed made: the
    process sending them stopped before it could say (killed, or the power
    cut). Their files may or may not have left.
    """

    consent: Consent
    purposes: frozenset[Purpose]
    uses_already_made: tuple[UseRow, ...] = field(default=())
    uses_not_known_sent: tuple[UseRow, ...] = field(default=())


class ConsentService:
    """Consents for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, request: ConsentRequest) -> Consent:
        """Record a consent and return it with its printed short code.

        Raises:
            PolicyRefused: the role may not record this consent.
            ConsentError: the consent is incomplete or contradicts itself.
        """
        vault = self._session.vault
        with vault.index() as conn:
            self._require_may_record(conn, request)
            _check(request, today=clock.today())
            with vault.audited(conn) as work:
                patient = PatientLookup(conn).by_id(request.patient_id)
                if patient is None:
                    raise ConsentError(f"There is no patient with id {request.patient_id}.")
                problem = decider_problem(patient.birth_date, request.decided_by, request.note,
                                          clock.today())
                if problem is not None:
                    raise ConsentError(problem)
                repo = ConsentRepository(conn)
                row = repo.add(_new_consent(request, _unused_code(repo),
                                            self._session.actor.name))
                work.record(AuditEntry(
                    self._session.actor.name, "consent.recorded", f"consent {row.id}", {
                        "patient_id": row.patient_id, "code": row.code, "method": row.method,
                        "purposes": list(row.purposes), "recipients": list(row.recipients),
                        "images": list(row.images), "obtained_by": row.obtained_by,
                    }))
            consent = ConsentRecords(conn).find(row.id)
        return consent

    def for_patient(self, patient_id: int) -> list[Consent]:
        """Return every consent a patient gave, withdrawn and expired ones included."""
        self._session.require(Permission.VIEW_IMAGES, subject=f"patient {patient_id}")
        with self._session.vault.index() as conn:
            return ConsentRecords(conn).for_patient(patient_id)

    def find(self, reference: str | int) -> Consent:
        """Return a consent by id or printed short code.

        Raises:
            ConsentError: there is no such consent.
        """
        self._session.require(Permission.VIEW_IMAGES, subject=f"consent {reference}")
        with self._session.vault.index() as conn:
            return _existing(ConsentRecords(conn), reference)

    def attach_signed_form(self, reference: str | int, blob_id: str) -> Consent:
        """Link the scan of a signed form to its written consent; from then on it counts.

        Raises:
            ConsentError: the consent is not written, or already has its form.
        """
        self._session.require(Permission.RECORD_DOCUMENTED_CONSENT, subject=f"consent {reference}")
        vault = self._session.vault
        with vault.audited() as work:
            records = ConsentRecords(work.conn)
            consent = _existing(records, reference)
            if consent.method is not Method.WRITTEN:
                raise ConsentError("Only a written consent has a signed form to attach.")
            if consent.signed_form_blob:
                raise ConsentError(f"Consent {consent.code} already has its signed form.")
            ConsentRepository(work.conn).attach_signed_form(consent.id, blob_id)
            work.record(AuditEntry(
                self._session.actor.name, "consent.form_attached", f"consent {consent.id}",
                {"patient_id": consent.patient_id, "blob": blob_id}))
            consent = records.find(consent.id)
        return consent

    def withdraw(self, reference: str | int, purposes: frozenset[Purpose] | None = None, *,
                 reason: str = "", on: date | None = None) -> WithdrawalResult:
        """Record that the patient took back some (or all) purposes of a consent.

        Every later use for those purposes is refused by the rules; the uses
        this consent allowed for them and that were made are returned, so the practice can ask
        for copies back. Uses another consent allowed, or that needed none
        (a patient's own picture for their care), are not listed: this
        withdrawal does not touch them. Uses allowed but never confirmed made
        are returned apart; those that failed are not returned at all.

        Raises:
            ConsentError: the purposes were not part of the consent, or are withdrawn already.
        """
        self._session.require(Permission.RECORD_WITHDRAWAL, subject=f"consent {reference}")
        vault = self._session.vault
        actor = self._session.actor.name
        on = on or clock.today()
        with vault.audited() as work:
            records = ConsentRecords(work.conn)
            consent = _existing(records, reference)
            purposes = frozenset(purposes or consent.purposes)
            _check_withdrawable(consent, purposes)
            words = tuple(sorted(str(p) for p in purposes))
            repo = ConsentRepository(work.conn)
            repo.add_withdrawal(consent.id, words, on.isoformat(), reason, actor, clock.stamp())
            uses = repo.uses_under_consent(consent.id, words)
            sent = tuple(u for u in uses if u.outcome == SENT)
            unknown = tuple(u for u in uses if u.outcome is None)
            work.record(AuditEntry(
                actor, "consent.withdrawn", f"consent {consent.id}", {
                    "patient_id": consent.patient_id, "purposes": list(words),
                    "reason": reason, "uses_already_made": [u.id for u in sent],
                    "uses_not_known_sent": [u.id for u in unknown]}))
            consent = records.find(consent.id)
        return WithdrawalResult(consent, purposes, sent, unknown)

    def _require_may_record(self, conn: Connection, request: ConsentRequest) -> None:
        if self._session.may(Permission.RECORD_CLINICAL_CONSENT):
            self._session.require(Permission.RECORD_CLINICAL_CONSENT,
                                  subject=f"patient {request.patient_id}")
            return
        self._session.require(Permission.RECORD_DOCUMENTED_CONSENT,
                              subject=f"patient {request.patient_id}")
        if _already_documented(conn, request):
            return
        self._session.audit("policy.refused", f"patient {request.patient_id}", {
            "permission": str(Permission.RECORD_CLINICAL_CONSENT),
            "roles": sorted(self._session.actor.roles)})
        raise PolicyRefused(
            "Consent for a clinical photo or for teaching, research or publication is obtained "
            "by a clinician. Record it only once they have documented it: attach the signed "
            "form, or name the clinician who obtained it."
        )


def _already_documented(conn: Connection, request: ConsentRequest) -> bool:
    """Whether reception may record this consent: it is on paper, implied, or a clinician's."""
    if not request.method.express or request.signed_form_blob:
        return True
    return any(not user.disabled and Role.CLINICIAN in user.roles
               for user in _users_named(conn, request.obtained_by))


def _users_named(conn: Connection, named: str) -> list[UserRow]:
    """The users a person means by ``named``: their login name, or the full name on forms.

    Reception types the clinician's name as it is printed ("Dr Ana Silva"),
    however cased or spaced, as often as the login name ("ana").
    """
    users = UserRepository(conn)
    by_login = users.by_name(named.strip())
    wanted = normalised(named)
    by_full_name = [u for u in users.all() if u.full_name and normalised(u.full_name) == wanted]
    return ([by_login] if by_login else []) + by_full_name


def _check(request: ConsentRequest, *, today: date) -> None:
    """Refuse a consent that is incomplete or contradicts itself, saying what to fix."""
    if not request.purposes:
        raise ConsentError("Say what the patient agreed to: clinical care, education, "
                           "research or publication.")
    if not request.recipients:
        raise ConsentError("Say who may see the images: the treating team, a specialist, "
                           "practice staff, students, researchers, the public, or a name.")
    if not request.obtained_by.strip():
        raise ConsentError("Say who obtained the consent.")
    if request.obtained_on > today:
        raise ConsentError("The consent cannot have been obtained in the future.")
    if request.expires_on is not None and request.expires_on < request.obtained_on:
        raise ConsentError("The consent cannot expire before it was given.")
    if not request.method.express and request.purposes != {Purpose.CLINICAL_CARE}:
        raise ConsentError(
            f"A consent that is {request.method.label} covers clinical care only; education, "
            "research and publication need the patient's own spoken or written consent.")
    if request.signed_form_blob and request.method is not Method.WRITTEN:
        raise ConsentError("Only a written consent has a signed form to attach.")
    if request.decided_by.name and not request.decided_by.relationship.strip():
        raise ConsentError("Say how the person who decided is related to the patient "
                           "(for example parent, guardian, attorney).")
    for recipient in request.recipients:
        refusal = named_group_refusal(recipient)
        if refusal is not None:
            raise ConsentError(f"{refusal.reason}: {refusal.remedy}.")
    non_care = [r for r in request.recipients if not r.gives_care]
    if non_care and request.purposes == {Purpose.CLINICAL_CARE}:
        raise ConsentError(
            f"{non_care[0].label.capitalize()} do not look after the patient; add the purpose "
            "they would see the images for (education, research or publication).")
    missing = request.disclosure.untold
    if request.method.express and missing:
        raise ConsentError(
            "Before recording consent, make sure the patient was told " + ", ".join(missing)
            + " (AMA: the patient understands the reasons, how it will be used and to whom "
            "it will be shown).")


def _check_withdrawable(consent: Consent, purposes: frozenset[Purpose]) -> None:
    outside = purposes - consent.purposes
    if outside:
        names = ", ".join(sorted(p.label for p in outside))
        raise ConsentError(f"Consent {consent.code} does not include {names}.")
    already = purposes & consent.withdrawn_purposes
    if already == purposes:
        raise ConsentError(f"Consent {consent.code} is already withdrawn for those purposes.")


def _existing(records: ConsentRecords, reference: str | int) -> Consent:
    consent = records.find(reference)
    if consent is None:
        raise ConsentError(f"There is no consent {reference}.")
    return consent


def _new_consent(request: ConsentRequest, code: str, recorded_by: str) -> NewConsent:
    return NewConsent(
        patient_id=request.patient_id,
        code=code,
        method=str(request.method),
        purposes=tuple(sorted(str(p) for p in request.purposes)),
        recipients=tuple(r.word for r in request.recipients),
        images=tuple(sorted(request.images)),
        decided_by_name=request.decided_by.name,
        decided_by_relationship=request.decided_by.relationship,
        told_why=request.disclosure.why,
        told_how_used=request.disclosure.how_used,
        told_who_sees=request.disclosure.who_sees,
        interpreter=request.interpreter,
        obtained_by=request.obtained_by,
        obtained_on=request.obtained_on.isoformat(),
        expires_on=request.expires_on.isoformat() if request.expires_on else None,
        signed_form_blob=request.signed_form_blob,
        note=request.note,
        recorded_by=recorded_by,
        recorded_at=clock.stamp(),
    )


def _unused_code(repo: ConsentRepository) -> str:
    """Return a short code for the printed form, easy to read aloud (no I, L, O or U).

    A code of digits alone is never given: people and the command line name a
    consent by its id or its code, and digits alone are read as an id.
    """
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not code.isdigit() and repo.by_code(code) is None:
            return code



