"""Everything an archive object says about one filed picture, read from the vault at once.

DICOM objects and FHIR resources are built from these frozen values, so the
builders never touch the vault and every fact is read inside one connection,
after the role checks and the consent gate have said yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clinfile.app.consent.model import Consent
from clinfile.app.consent.records import ConsentRecords
from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.filing.model import FiledImage, load_filed
from clinfile.app.settings import read_settings
from clinfile.app.vault.vault import Vault
from clinfile.db.connection import Connection
from clinfile.db.filing import FilingRepository
from clinfile.db.images import ImageRepository, ImageRow
from clinfile.db.patients import PatientRepository, PatientRow


@dataclass(frozen=True)
class ArchivePhoto:
    """One filed picture with its patient, episode, consents and where it sits among its peers.

    Attributes:
        image: the filing as it now stands (corrections applied).
        stored: the image's row in the vault (format, capture time, blobs).
        patient: the patient it is filed to, as the patient index holds them.
        consents: the patient's recorded consents.
        episode: what the episode was called when it was filed.
        position: the picture's place in its episode, from 1.
        vault_id: the vault that holds it, so its identifiers are its own.
        practice_name: the practice, as printed on its documents.
    """

    image: FiledImage
    stored: ImageRow
    patient: PatientRow
    consents: tuple[Consent, ...]
    episode: str
    position: int
    vault_id: str
    practice_name: str

    @property
    def revision(self) -> int:
        """How many times the filing was corrected; a correction makes a new archive object."""
        return len(self.image.corrections)

    @property
    def taken_at(self) -> str | None:
        """When the picture was taken, where known (see :meth:`FiledImage.when_taken`)."""
        return self.image.when_taken(self.stored.captured_at)


def read_archive_photos(conn: Connection, vault: Vault,
                        images: list[FiledImage]) -> list[ArchivePhoto]:
    """Read what the archive needs about each filed image, in the order given."""
    filings = FilingRepository(conn)
    rows = ImageRepository(conn)
    patients = PatientRepository(conn)
    records = ConsentRecords(conn)
    practice = read_settings(conn).practice_name
    photos = []
    for image in images:
        peers = sorted(f.image_id for f in filings.filings_touching(image.patient_id)
                       if f.episode_id == image.episode_id)
        photos.append(ArchivePhoto(
            image=image, stored=rows.by_id(image.image_id),
            patient=patients.by_id(image.patient_id),
            consents=tuple(records.for_patient(image.patient_id)),
            episode=filings.episode_description(image.episode_id),
            position=peers.index(image.image_id) + 1 if image.image_id in peers else 1,
            vault_id=vault.vault_id, practice_name=practice))
    return photos


def filed_image(conn: Connection, image_id: int) -> FiledImage | None:
    """Return an image as it now stands in the record, or None when it is not filed."""
    return load_filed(conn, [image_id]).get(image_id)


def distribution_consents(photo: ArchivePhoto, today: date) -> list[tuple[Consent, str]]:
    """Return each consent to uses beyond care that covers the picture, with its state.

    The state is ``YES`` while the consent allows those uses, ``WITHDRAWN``
    once the patient took all of them back; a consent that lapsed or whose
    signed form has not come back allows nothing and is left out. The
    archive carries these as its Consent for Distribution Flag.
    """
    states = []
    for consent in photo.consents:
        wider = consent.purposes - {Purpose.CLINICAL_CARE}
        if not wider or not consent.covers_image(photo.image.image_id):
            continue
        if wider <= consent.withdrawn_purposes:
            states.append((consent, "WITHDRAWN"))
        elif not consent.expired_on(today) and not consent.awaiting_signature:
            states.append((consent, "YES"))
    return states
