"""The consent rules: may this image be used for this purpose, by this recipient?

:func:`decide` is a pure function of frozen facts (the image, the patient's
consents, the practice policy and today's date), so every case of the
guidance can be walked in a table and the same answer comes out in the CLI,
the window and every export. Each branch names the sentence of the guidance
it enforces; ``docs/consent-rules.md`` lists them side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from clinfile.app.consent.model import Consent, ImageFacts, Policy
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient

SECONDARY_CAUTION = (
    "This is a secondary image (a photo of an x-ray, a screen or another record): "
    "review the original where possible."
)
THIRD_PARTY_CAUTION = (
    "This image came from someone else: consider its context, size distortion and quality "
    "before relying on it."
)


@dataclass(frozen=True)
class Allowed:
    """The use may go ahead; ``reason`` says on what basis."""

    reason: str
    consent_id: int | None = None
    cautions: tuple[str, ...] = ()

    allowed = True

    def __str__(self) -> str:
        return f"Allowed: {self.reason}."


@dataclass(frozen=True)
class Refused:
    """The use may not go ahead; ``reason`` says why and ``remedy`` what would allow it."""

    reason: str
    remedy: str
    cautions: tuple[str, ...] = ()

    allowed = False

    def __str__(self) -> str:
        return f"{self.reason}. To allow it: {self.remedy}."


Decision = Allowed | Refused


def decide(image: ImageFacts, purpose: Purpose, recipient: Recipient,
           consents: Iterable[Consent], *, today: date, policy: Policy | None = None,
           deidentified: bool = False) -> Decision:
    """Decide one use of one image.

    Args:
        image: the filed image's kind, secondary flag and (if sent by the
            patient) the purpose it was sent for.
        purpose: what the use is for.
        recipient: who will see the image.
        consents: the patient's consents, withdrawn and expired ones included;
            those limited to other images are ignored.
        today: the date of the use, for expiry.
        policy: the practice's consent policy; the defaults when omitted.
        deidentified: whether identifiers will be removed. It never changes
            the answer (Avant: "even if the image appears to be de-identified,
            it is always prudent to obtain patient consent"); it only changes
            the words of a refusal.

    Returns:
        :class:`Allowed` with its basis, or :class:`Refused` with the reason and
        what would make the use allowed.
    """
    policy = policy or Policy()
    cautions = _cautions(image)
    relevant = [c for c in consents if c.covers_image(image.image_id)]
    named_group = named_group_refusal(recipient, cautions)
    if named_group is not None:
        return named_group
    if purpose.clinical and not recipient.gives_care:
        return Refused(
            f"{_capital(recipient.label)} do not look after the patient, so showing them "
            "the image is not clinical care",
            "choose what it is really for (education, research or publication) and record "
            "the patient's consent for that",
            cautions,
        )
    for consent in sorted(relevant, key=_newest_first):
        if _consent_allows(consent, image, purpose, recipient, policy, today):
            return Allowed(
                f"the patient's {consent.method.label} consent of "
                f"{consent.obtained_on:%d/%m/%Y} covers {purpose.label} for {recipient.label}",
                consent.id, cautions)
    basis = _care_basis(image) if purpose.clinical else None
    if basis is not None:
        withdrawn = _newest_withdrawal(relevant, purpose)
        if withdrawn is None:
            return Allowed(basis, None, cautions)
        return Refused(
            f"the patient withdrew consent for {purpose.label} on {withdrawn:%d/%m/%Y}",
            f"only a new consent from the patient for {purpose.label} allows it",
            cautions)
    return _refusal(image, purpose, recipient, relevant, policy, today, deidentified, cautions)


def filing_basis_problem(kind: ImageKind, consent: Consent | None, *, today: date,
                         policy: Policy | None = None) -> str | None:
    """Return why an image of this kind may not be filed on this consent, or None if it may.

    Only clinical photos need a recorded consent to be filed. AMA: "Before
    taking a clinical image, a doctor should obtain appropriate consent for
    the photo and document this consent in the health record." Document
    images need "no specific consent"; a patient's own image carries implied
    consent; a colleague in the practice "is responsible for obtaining the
    patient's consent"; an outside colleague's image is stored "together with
    a note of any discussion". A written consent may be filed against before
    its signed form comes back; uses wait for the form.
    """
    if kind is not ImageKind.CLINICAL_PHOTO:
        return None
    policy = policy or Policy()
    if consent is None:
        return ("a clinical photo needs the patient's consent for clinical care recorded "
                "before it is filed")
    if Purpose.CLINICAL_CARE not in consent.purposes:
        return "the consent chosen does not cover clinical care"
    if consent.withdrawal_of(Purpose.CLINICAL_CARE) is not None:
        return "the patient has withdrawn the consent chosen for clinical care"
    if consent.expired_on(today):
        return f"the consent chosen expired on {consent.expires_on:%d/%m/%Y}"
    photo = ImageFacts(None, kind)
    return _method_problem(consent, photo, Purpose.CLINICAL_CARE, policy)


def _consent_allows(consent: Consent, image: ImageFacts, purpose: Purpose,
                    recipient: Recipient, policy: Policy, today: date) -> bool:
    return (purpose in consent.purposes
            and consent.withdrawal_of(purpose) is None
            and not consent.expired_on(today)
            and _method_problem(consent, image, purpose, policy) is None
            and not consent.awaiting_signature
            and consent.covers_recipient(recipient))


def named_group_refusal(recipient: Recipient,
                        cautions: tuple[str, ...] = ()) -> Refused | None:
    """Refuse a "named person" whose name is a class of people; None for any other recipient.

    AMA: the patient understands "to whom it will be shown"; a consent names
    people or classes of people, and "students" written as a person's name
    would pass as a clinician who looks after the patient. Recording such a
    consent is refused for the same reason.
    """
    group = recipient.names_a_group
    if group is None:
        return None
    return Refused(
        f"'{recipient.name}' is a class of people ({group.label}), not a person's name",
        f"choose the class {group} instead of naming it",
        cautions)


def _care_basis(image: ImageFacts) -> str | None:
    """Return why this image may be used for care without a recorded consent, or None."""
    if image.kind is ImageKind.DOCUMENT:
        return ("an image of a document needs no specific consent for the patient's "
                "clinical care")
    if image.kind is ImageKind.PATIENT_SENT and image.sent_for.clinical:
        return ("the patient sent it for their care, which implies consent for that care, "
                "including asking another practitioner's advice on the same problem")
    if image.kind is ImageKind.COLLEAGUE_INTERNAL:
        return "the colleague in this practice who sent it holds the patient's consent"
    if image.kind is ImageKind.COLLEAGUE_EXTERNAL:
        return ("a clinician outside the practice sent it for the patient's care or advice; "
                "it is kept with a note of the discussion")
    return None


def _method_problem(consent: Consent, image: ImageFacts, purpose: Purpose,
                    policy: Policy) -> str | None:
    """Return why the way this consent was given is not enough, or None when it is."""
    photo = image.kind is ImageKind.CLINICAL_PHOTO
    if not consent.method.express and (photo or not purpose.clinical):
        what = "a clinical photo" if photo and purpose.clinical else purpose.label
        return (f"{what} needs the patient's own spoken or written consent; "
                f"the consent recorded is {consent.method.label}")
    written_required = photo and policy.written_consent_for_clinical_photos
    if written_required and consent.method is not Method.WRITTEN:
        return ("the practice requires written consent for clinical photos; "
                f"the consent for {purpose.label} is {consent.method.label}")
    return None


def _refusal(image: ImageFacts, purpose: Purpose, recipient: Recipient,
             relevant: list[Consent], policy: Policy, today: date, deidentified: bool,
             cautions: tuple[str, ...]) -> Refused:
    """Explain the refusal by the consent closest to allowing the use, or its absence.

    A consent that names this recipient speaks for it, so it explains the
    refusal before any newer consent that leaves the recipient out: a verbal
    consent to someone else must not hide that the written form which does
    include them has not come back signed.
    """
    asking = f"record the patient's consent for {purpose.label}, to be seen by {recipient.label}"
    for consent in sorted(relevant, key=lambda c: (not c.covers_recipient(recipient),
                                                   *_newest_first(c))):
        if purpose not in consent.purposes:
            continue
        withdrawal = consent.withdrawal_of(purpose)
        if withdrawal is not None:
            return Refused(
                f"the patient withdrew consent for {purpose.label} on "
                f"{withdrawal.withdrawn_on:%d/%m/%Y}",
                f"only a new consent from the patient for {purpose.label} allows it", cautions)
        if consent.expired_on(today):
            return Refused(
                f"the patient's consent for {purpose.label} expired on "
                f"{consent.expires_on:%d/%m/%Y}",
                f"{asking} again", cautions)
        problem = _method_problem(consent, image, purpose, policy)
        if problem is not None:
            written = "written " if policy.written_consent_for_clinical_photos else ""
            return Refused(problem, f"record the patient's {written}consent for {purpose.label}",
                           cautions)
        if consent.awaiting_signature:
            return Refused(
                f"the written consent form for {purpose.label} (code {consent.code}) "
                "has not come back signed",
                "attach the signed form to the consent", cautions)
        return Refused(
            f"the patient's consent for {purpose.label} does not include {recipient.label}",
            asking, cautions)
    reason = f"needs the patient's consent for {purpose.label}; none recorded"
    if image.kind is ImageKind.PATIENT_SENT and not purpose.clinical:
        reason += " (the patient sent it for their care only)"
    if deidentified and not purpose.clinical:
        reason += " (removing names does not replace consent: people may still recognise them)"
    return Refused(reason, asking, cautions)


def _newest_withdrawal(consents: list[Consent], purpose: Purpose) -> date | None:
    dates = [w.withdrawn_on for c in consents for w in c.withdrawals if purpose in w.purposes]
    return max(dates, default=None)


def _cautions(image: ImageFacts) -> tuple[str, ...]:
    """Avant: take care with images "sent from a third party or ... a secondary image"."""
    cautions = []
    if image.secondary:
        cautions.append(SECONDARY_CAUTION)
    if image.kind in (ImageKind.PATIENT_SENT, ImageKind.COLLEAGUE_EXTERNAL,
                      ImageKind.COLLEAGUE_INTERNAL):
        cautions.append(THIRD_PARTY_CAUTION)
    return tuple(cautions)


def _newest_first(consent: Consent) -> tuple:
    return (-consent.obtained_on.toordinal(), -consent.id)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
