"""What a recorded consent says, and what the rules need to know about an image.

Frozen dataclasses, so a consent or an image's facts can be handed to a worker
thread or to the rules engine without anyone changing them underneath.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient


@dataclass(frozen=True)
class DecisionMaker:
    """Who said yes: the patient, or a substitute decision maker and how they are related.

    The design asks for the substitute decision maker for minors and for
    patients without capacity, with their relationship to the patient.
    """

    name: str = ""
    relationship: str = ""

    @property
    def is_patient(self) -> bool:
        """Whether the patient decided for themselves."""
        return not self.name


@dataclass(frozen=True)
class Disclosure:
    """What the patient was told before agreeing.

    AMA: "Make sure the patient understands the reasons for taking the image,
    how it will be used, and to whom it will be shown." Avant: discuss "why you
    want to take the image, how the image will be used, who the image will be
    shared with and why".
    """

    why: bool = False
    how_used: bool = False
    who_sees: bool = False

    @property
    def untold(self) -> list[str]:
        """What the patient was not told, in words, for the one check that asks all three."""
        return [what for what, told in (("why the image is taken", self.why),
                                        ("how it will be used", self.how_used),
                                        ("who will see it", self.who_sees)) if not told]


@dataclass(frozen=True)
class Withdrawal:
    """The patient took back some purposes of a consent; later uses for them stop."""

    purposes: frozenset[Purpose]
    withdrawn_on: date
    recorded_by: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Consent:
    """One consent as recorded: who agreed, to what, for whom, how, and what became of it.

    ``images`` limits the consent to some of the patient's images; empty means
    it covers all of them. A written consent counts once its signed form is
    attached (``signed_form_blob``); until then it is awaiting signature.
    """

    id: int
    patient_id: int
    code: str
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
    withdrawals: tuple[Withdrawal, ...] = ()

    def covers_image(self, image_id: int | None) -> bool:
        """Whether this consent is about the given image (or about all the patient's images)."""
        return not self.images or image_id in self.images

    def covers_recipient(self, recipient: Recipient) -> bool:
        """Whether the consent names this recipient or its class."""
        return any(allowed.same_as(recipient) for allowed in self.recipients)

    def withdrawal_of(self, purpose: Purpose) -> Withdrawal | None:
        """Return the withdrawal that took back this purpose, if any."""
        return next((w for w in self.withdrawals if purpose in w.purposes), None)

    def expired_on(self, today: date) -> bool:
        """Whether the consent has lapsed by ``today`` (it holds through its expiry date)."""
        return self.expires_on is not None and today > self.expires_on

    @property
    def awaiting_signature(self) -> bool:
        """Whether a written consent's signed form has not come back yet."""
        return self.method is Method.WRITTEN and not self.signed_form_blob

    @property
    def withdrawn_purposes(self) -> frozenset[Purpose]:
        """Every purpose taken back so far."""
        return frozenset(p for w in self.withdrawals for p in w.purposes)


@dataclass(frozen=True)
class ImageFacts:
    """What the rules need to know about one filed image.

    ``sent_for`` is the purpose a patient sent the image for (Avant: implied
    consent holds "only for the purpose for which the image was provided");
    it matters only for patient-sent images.
    """

    image_id: int | None
    kind: ImageKind
    secondary: bool = False
    sent_for: Purpose = Purpose.CLINICAL_CARE


@dataclass(frozen=True)
class Policy:
    """The practice's own consent policy.

    Avant, "Employment obligations": a practice policy may include "whether you
    need to obtain written consent"; AMA: "Check what your health
    service/hospital requirements are for written consent."
    """

    written_consent_for_clinical_photos: bool = False
