"""A filed picture as a DICOM VL Photographic Image object, built with pydicom.

What the object carries, and why:

- Patient module from the patient index: the record number the clinical
  software knows the patient by is the Patient ID, so every workstation of
  the practice files to the same patient in the archive.
- One study per filed episode (Study ID and Accession Number name it), one
  series per body site within it, Body Part Examined and Image Laterality
  from the filing (a validator reports an error without one of them).
- Acquisition date and time from when the picture was taken.
- Privacy: the Geolocation module is never filled, whatever the camera
  recorded; Recognizable Visual Features and Burned In Annotation follow
  from what was filed (a face; a photographed document); the Consent for
  Distribution Flag carries what the patient's consents allow beyond care.
- A de-identified copy (teaching, research, publication) carries no name,
  identifier, birth date, date, practice or operator, nor anything that
  leads back to the vault's records (no study id, no consent code), says
  Patient Identity Removed and how, and gets UIDs of its own.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from importlib.metadata import version

from PIL import ImageCms
from pydicom import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import UID

from clinfile.app import clock
from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.interop.archive_photo import ArchivePhoto, distribution_consents
from clinfile.app.interop.dicom_pixels import Pixels
from clinfile.app.interop.dicom_uids import PhotoUids, photo_uids
from clinfile.db.patients import PatientRow

VL_PHOTOGRAPHIC_IMAGE = UID("1.2.840.10008.5.1.4.1.1.77.1.4")
MANUFACTURER = "Clinfile"
SOFTWARE_VERSION = version("clinfile")
DEIDENTIFICATION_METHOD = "Clinfile: identifiers, dates, metadata removed; new UIDs"

#: Body Part Examined for each body site of the filing list (DICOM PS3.16 Annex L words).
BODY_PARTS = {
    "eye": "EYE", "ear": "EAR", "cheek": "CHEEK", "breast": "BREAST", "axilla": "AXILLA",
    "shoulder": "SHOULDER", "upper-arm": "ARM", "elbow": "ELBOW", "forearm": "FOREARM",
    "wrist": "WRIST", "hand": "HAND", "finger": "FINGER", "thumb": "THUMB", "hip": "HIP",
    "groin": "INGUINAL", "buttock": "BUTTOCK", "thigh": "THIGH", "knee": "KNEE",
    "lower-leg": "LEG", "shin": "LEG", "calf": "CALF", "ankle": "ANKLE", "heel": "HEEL",
    "foot": "FOOT", "toe": "TOE", "scalp": "SCALP", "face": "FACE", "forehead": "FOREHEAD",
    "nose": "NOSE", "mouth": "MOUTH", "lip": "LIP", "chin": "CHIN", "neck": "NECK",
    "chest": "CHEST", "abdomen": "ABDOMEN", "upper-back": "UPPER BACK",
    "lower-back": "LOWER BACK", "sacrum": "SACRUM", "perineum": "PERINEUM",
    "genitals": "EXTGENITALIA", "whole-body": "WHOLEBODY", "other": "",
}
#: Sites whose pictures may show who the patient is.
RECOGNISABLE_SITES = frozenset({"face", "eye", "ear", "cheek", "forehead", "nose", "mouth",
                                "lip", "chin", "whole-body"})
_LATERALITY = {"left": "L", "right": "R", "both": "B"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LONG_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # LT keeps TAB, LF, FF, CR
_SEX = {"male": "M", "female": "F", "other": "O"}


def photo_dataset(photo: ArchivePhoto, pixels: Pixels, *, deidentified: bool = False,
                  today: date | None = None) -> Dataset:
    """Build the VL Photographic Image object for one filed picture."""
    uids = photo_uids(photo, deidentified=deidentified)
    ds = Dataset()
    ds.file_meta = _file_meta(uids, pixels)
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = VL_PHOTOGRAPHIC_IMAGE
    ds.SOPInstanceUID = uids.instance
    _patient(ds, photo, deidentified)
    _study(ds, photo, uids, deidentified)
    _series(ds, photo, uids, deidentified)
    _equipment(ds, photo, deidentified)
    _image(ds, photo, pixels, deidentified)
    _consent(ds, photo, today or clock.today(), deidentified)
    _pixel_data(ds, pixels)
    return ds


def dataset_bytes(ds: Dataset) -> bytes:
    """Return the object as a DICOM Part 10 file's bytes, in memory."""
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _file_meta(uids: PhotoUids, pixels: Pixels) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = VL_PHOTOGRAPHIC_IMAGE
    meta.MediaStorageSOPInstanceUID = uids.instance
    meta.TransferSyntaxUID = pixels.transfer_syntax
    meta.ImplementationVersionName = f"CLINFILE_{SOFTWARE_VERSION}"[:16]
    return meta


def _patient(ds: Dataset, photo: ArchivePhoto, deidentified: bool) -> None:
    patient = photo.patient
    if deidentified:
        ds.PatientName = ""
        ds.PatientID = ""
        ds.PatientBirthDate = ""
        ds.PatientSex = ""
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = DEIDENTIFICATION_METHOD
        ds.DeidentificationMethodCodeSequence = Sequence([_code(
            "113100", "DCM", "Basic Application Confidentiality Profile")])
        return
    ds.PatientName = f"{_name_part(patient.family_name.upper())}^{_name_part(patient.given_names)}"
    ds.PatientID = patient_id(patient, photo.vault_id)
    ds.PatientBirthDate = (patient.birth_date or "").replace("-", "")
    ds.PatientSex = _SEX.get(patient.sex, "")
    ds.PatientIdentityRemoved = "NO"


def patient_id(patient: PatientRow, vault_id: str) -> str:
    """The Patient ID every workstation uses: the practice's record number, else the IHI.

    A patient known only to this vault gets an id naming the vault, so two
    workstations' local patients never merge by accident in the archive.
    """
    return _text(patient.record_number or patient.ihi or f"CF-{vault_id[:8]}-{patient.id}")


def _study(ds: Dataset, photo: ArchivePhoto, uids: PhotoUids, deidentified: bool) -> None:
    ds.StudyInstanceUID = uids.study
    ds.StudyID = "" if deidentified else f"E{photo.image.episode_id}"
    ds.AccessionNumber = "" if deidentified else \
        f"{photo.vault_id[:6].upper()}{photo.image.episode_id}"[:16]
    ds.StudyDescription = "" if deidentified else _text(photo.episode)
    ds.ReferringPhysicianName = ""
    taken = None if deidentified else _moment(photo.taken_at)
    ds.StudyDate = taken.strftime("%Y%m%d") if taken else ""
    ds.StudyTime = taken.strftime("%H%M%S") if taken else ""


def _series(ds: Dataset, photo: ArchivePhoto, uids: PhotoUids, deidentified: bool) -> None:
    site = photo.image.body_site
    ds.Modality = "XC"
    ds.SeriesInstanceUID = uids.series
    ds.SeriesNumber = _series_number(site.site, site.laterality)
    ds.SeriesDescription = _text(site.label if site.site else photo.image.kind.label)
    body_part = BODY_PARTS.get(site.site, "")
    if body_part:
        ds.BodyPartExamined = body_part
    if not deidentified and photo.image.taken_by:
        ds.OperatorsName = _name_part(photo.image.taken_by)


def _series_number(site: str, laterality: str) -> int:
    """A series number per body site and side, the same in every episode (1 for no site)."""
    if not site:
        return 1
    ordered = sorted(BODY_PARTS)
    return 2 + ordered.index(site) * 4 + ("", "left", "right", "both").index(laterality)


def _equipment(ds: Dataset, photo: ArchivePhoto, deidentified: bool) -> None:
    ds.Manufacturer = MANUFACTURER
    ds.ManufacturerModelName = "Clinfile workstation"
    ds.SoftwareVersions = SOFTWARE_VERSION
    if not deidentified and photo.practice_name:
        ds.InstitutionName = _text(photo.practice_name)


def _image(ds: Dataset, photo: ArchivePhoto, pixels: Pixels, deidentified: bool) -> None:
    image = photo.image
    ds.ImageType = ["DERIVED" if pixels.derivation else "ORIGINAL", "PRIMARY"]
    ds.InstanceNumber = photo.position
    ds.PatientOrientation = ""
    taken = None if deidentified else _moment(photo.taken_at)
    if taken:
        ds.ContentDate = taken.strftime("%Y%m%d")
        ds.ContentTime = taken.strftime("%H%M%S")
        ds.AcquisitionDateTime = taken.strftime("%Y%m%d%H%M%S") + _offset(taken)
    ds.ImageLaterality = _LATERALITY.get(image.body_site.laterality, "U")
    ds.AcquisitionContextSequence = Sequence()
    ds.BurnedInAnnotation = "YES" if image.kind is ImageKind.DOCUMENT else "NO"
    ds.RecognizableVisualFeatures = "YES" if image.body_site.site in RECOGNISABLE_SITES \
        else "NO"
    if not deidentified and image.description:
        ds.ImageComments = _LONG_TEXT_CONTROL.sub(" ", image.description)[:10240]
    if pixels.derivation:
        ds.DerivationDescription = pixels.derivation[:1024]
    ds.LossyImageCompression = "01" if pixels.lossy else "00"
    if pixels.lossy and pixels.lossy_ratio:
        ds.LossyImageCompressionRatio = f"{pixels.lossy_ratio:.2f}"
        ds.LossyImageCompressionMethod = "ISO_10918_1"


def _consent(ds: Dataset, photo: ArchivePhoto, today: date, deidentified: bool) -> None:
    """Carry each consent to uses beyond care as a Consent for Distribution item.

    Clinfile's consents name their purposes and recipients, so a picture may
    be used only as its consent says: the item's Distribution Type is
    NAMED_PROTOCOL and the protocol is the consent's printed code. Without
    such a consent the sequence is left out (no consent to distribute is
    on record): dciodvfy reports an error on any item that is not a named
    protocol, a ``NO`` item included. A de-identified copy names no consent
    code, which would lead back to the patient.
    """
    items = []
    for consent, state in distribution_consents(photo, today):
        item = Dataset()
        item.DistributionType = "NAMED_PROTOCOL"
        item.ClinicalTrialProtocolID = "Clinfile consent" if deidentified else \
            f"Clinfile consent {consent.code}"
        item.ConsentForDistributionFlag = state
        items.append(item)
    if items:
        # The sequence belongs to the Clinical Trial Study module, whose time
        # point is required (empty: this is no trial).
        ds.ClinicalTrialTimePointID = ""
        ds.ConsentForClinicalTrialUseSequence = Sequence(items)


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def _pixel_data(ds: Dataset, pixels: Pixels) -> None:
    ds.SamplesPerPixel = pixels.samples
    ds.PhotometricInterpretation = pixels.photometric
    if pixels.samples == 3:
        ds.PlanarConfiguration = 0
        ds.ICCProfile = _SRGB_PROFILE
        ds.ColorSpace = "SRGB"
    ds.Rows = pixels.rows
    ds.Columns = pixels.columns
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = encapsulate([pixels.data]) if pixels.encapsulated else pixels.data
    ds["PixelData"].VR = "OB"
    # Encapsulated frames are written with undefined length, also by writers
    # (a network sender) that do not read the transfer syntax from the file meta.
    ds["PixelData"].is_undefined_length = pixels.encapsulated


def _text(value: str, limit: int = 64) -> str:
    """Make text fit a short DICOM string (LO), keeping its words.

    A backslash would split it into several values and control characters are
    not allowed, so they become ``/`` and spaces; runs of space become one.
    """
    cleaned = _CONTROL.sub(" ", value.replace("\\", "/"))
    return " ".join(cleaned.split())[:limit]


def _name_part(value: str) -> str:
    """One component of a person's name: its separators (``^`` and ``=``) become spaces."""
    return _text(value.replace("^", " ").replace("=", " "))


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _offset(moment: datetime) -> str:
    """The DICOM form of a time's UTC offset (``+1000``), or nothing for a camera's local time."""
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


_SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
