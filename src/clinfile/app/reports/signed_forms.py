"""Recognising a signed consent form in a scan or a phone photograph by its QR code.

The signed page comes back however the practice can manage: a flatbed scan,
a photo on the desk a few degrees askew, a dim, soft, noisy picture. The
reader tries the picture as it is first (most pages are read there), then
versions that help a QR decoder with a poor picture: despeckled, sharpened,
and smaller. Only codes Clinfile printed are accepted, so a
patient label or a pathology QR code on the same page is never mistaken for
a consent.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from clinfile.app.consent.model import Consent
from clinfile.app.consent.service import ConsentError, ConsentService
from clinfile.app.custody.audit import AuditEntry
from clinfile.app.escaping import escaped
from clinfile.app.reports.form_codes import code_from_payload
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.db.consents import ConsentRepository
from clinfile.db.filing import InboxLookup

#: Long edge of the copy that filters work on, and of a last, smaller try.
WORKING_EDGE = 2000
SMALL_EDGE = 1000


def find_consent_code(image: Image.Image | bytes) -> str | None:
    """Return the consent short code of the Clinfile QR code in a picture, or None.

    Args:
        image: the scan or photograph, as a decoded picture or as file bytes.
    """
    picture = _opened(image)
    for attempt in _attempts(picture):
        for barcode in zxingcpp.read_barcodes(attempt, formats=zxingcpp.BarcodeFormat.QRCode):
            code = code_from_payload(barcode.text)
            if code:
                return code
    return None


def _opened(image: Image.Image | bytes) -> Image.Image:
    if isinstance(image, Image.Image):
        return image
    with Image.open(io.BytesIO(image)) as opened:
        return ImageOps.exif_transpose(opened).convert("RGB")


def _attempts(picture: Image.Image) -> Iterator[Image.Image]:
    """Yield the picture, then versions that are easier to read when it is poor.

    Past the first try the work is done at a moderate size: a whole page
    needs no more than about 2000 pixels for its code, averaging pixels down
    already smooths noise, and filters on a 12-megapixel photo would cost
    seconds on every imported picture that holds no form at all. A light
    blur then evens out a phone sensor's speckle, sharpening restores edges
    a shaky hand blurred, and a median filter removes speckle while keeping
    the modules' edges.
    """
    grey = ImageOps.grayscale(picture) if picture.mode != "L" else picture
    yield grey
    working = grey
    if max(grey.size) > WORKING_EDGE:
        working = grey.copy()
        working.thumbnail((WORKING_EDGE, WORKING_EDGE), Image.Resampling.BOX)
        yield working
    despeckled = working.filter(ImageFilter.BoxBlur(1))
    yield despeckled
    yield despeckled.filter(ImageFilter.UnsharpMask(radius=4, percent=200, threshold=0))
    yield working.filter(ImageFilter.MedianFilter(3))
    smaller = despeckled.copy()
    smaller.thumbnail((SMALL_EDGE, SMALL_EDGE), Image.Resampling.LANCZOS)
    if smaller.size != despeckled.size:
        yield smaller


SIGNED_FORM_STATUS = "consent_form"


@dataclass(frozen=True)
class RecognisedForm:
    """An imported picture that carries a Clinfile consent code, and what became of it.

    ``consent`` is the consent the scan is now attached to; when it is None,
    ``problem`` says why in words for reception, and the picture stays in the
    inbox for a person to look at.
    """

    item_id: int
    code: str
    consent: Consent | None
    problem: str = ""

    def __str__(self) -> str:
        code = escaped(self.code)
        if self.consent is None:
            return f"Picture {self.item_id} is consent form {code}, but: {escaped(self.problem)}"
        return (f"Picture {self.item_id} is the signed consent form {code}; it is now "
                "attached to that consent, which counts from now on.")


def attach_signed_form(session: Session, item_id: int) -> RecognisedForm | None:
    """Attach an imported picture to its consent if it is a signed Clinfile consent form.

    Call it for each picture the import takes into the inbox. While no written
    consent waits for its signed form, nothing is looked for and it returns
    None at once, so ordinary imports pay nothing. A picture with no Clinfile
    code returns None and is left alone. A recognised form is
    attached to its written consent (which from then on counts), marked so it
    leaves the inbox of images to file, and audited. The original bytes, as
    captured, are what the consent keeps.

    Raises:
        PolicyRefused: the role may not record a documented consent (audited).
    """
    session.require(Permission.RECORD_DOCUMENTED_CONSENT, subject=f"image {item_id}")
    vault = session.vault
    with vault.index() as conn:
        if not ConsentRepository(conn).any_awaiting_signed_form():
            return None
        item = InboxLookup(conn).by_id(item_id)
    if item is None or item.status != "unfiled":
        return None
    original_blob, derivative_blob = item.blobs[0], item.blobs[1]
    code = find_consent_code(vault.blobs.read_bytes(derivative_blob))
    if code is None:
        return None
    consents = ConsentService(session)
    try:
        consent = consents.find(code)
        if consent.signed_form_blob != original_blob:
            consent = consents.attach_signed_form(code, original_blob)
    except ConsentError as exc:
        session.audit("consent.form_not_attached", f"image {item_id}",
                      {"code": code, "reason": str(exc)})
        return RecognisedForm(item_id, code, None, str(exc))
    with vault.audited() as work:
        InboxLookup(work.conn).set_status(item_id, SIGNED_FORM_STATUS)
        work.record(AuditEntry(
            session.actor.name, "consent.form_recognised", f"image {item_id}",
            {"consent_id": consent.id, "code": code, "blob": original_blob}))
    return RecognisedForm(item_id, code, consent)
