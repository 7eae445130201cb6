"""Filed corpus pictures exported as DICOM VL Photographic Image objects, checked by dciodvfy.

Every object the export makes from the corpus (camera JPEGs, one needing
rotation, an iPhone HEIC, a TIFF, a PNG) is checked by dicom3tools'
``dciodvfy`` for zero errors, read back with pydicom, and compared with what
was filed: patient, episode, body site, capture time, consent.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pydicom
import pytest
from PIL import Image
from pydicom.encaps import generate_fragmented_frames

from clinfile.app.consent.service import ConsentService
from clinfile.app.consent.vocabulary import Method, Purpose, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.service import FilingService
from clinfile.app.ingest.derivatives import strip_jpeg
from clinfile.app.interop.archive_photo import filed_image, read_archive_photos
from clinfile.app.interop.dicom_objects import dicom_object
from tests.integration.archive_pictures import (
    SOURCES,
    add_patient,
    care_consent,
    corpus_copies,
    file_pictures,
    import_files,
)
from tests.unit.app.cli.calling import as_user

pytestmark = pytest.mark.slow

VL_PHOTO = "1.2.840.10008.5.1.4.1.1.77.1.4"


def decoded_size(ds) -> tuple[int, int]:
    """Decode the object's pixels (Pillow for a JPEG frame) and return their width and height."""
    if ds.file_meta.TransferSyntaxUID.is_compressed:
        [frame] = generate_fragmented_frames(ds.PixelData)
        with Image.open(io.BytesIO(b"".join(frame))) as picture:
            picture.load()
            return picture.size
    assert len(ds.PixelData) == ds.Rows * ds.Columns * ds.SamplesPerPixel
    return ds.Columns, ds.Rows


def dciodvfy_errors(path) -> list[str]:
    """Return the error lines dciodvfy reports for a file."""
    result = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    return [line for line in (result.stdout + result.stderr).splitlines()
            if line.startswith("Error")]


@pytest.fixture(scope="module", autouse=True)
def dicom3tools():
    if shutil.which("dciodvfy") is None:
        pytest.skip("dciodvfy (Debian package dicom3tools) is not installed")


@pytest.fixture
def filed(vault_path, login, corpus, tmp_path):
    """The corpus pictures of every format, filed to Mai Nguyen as one episode."""
    clinician = login("clinician")
    patient = add_patient(login("admin"))
    ids = import_files(clinician, corpus_copies(corpus, SOURCES, tmp_path / "drop"))
    file_pictures(clinician, ids, patient)
    return patient, ids


def export(vault_path, out, *extra, user="clinician", purpose="clinical-care",
           recipient="treating-team"):
    return as_user(vault_path, user, "export", "--format", "dicom", "--purpose", purpose,
                   "--recipient", recipient, "--out", str(out), "--json", *extra)


def test_every_corpus_picture_becomes_a_clean_vl_photographic_image(vault_path, login, filed,
                                                                      tmp_path):
    patient, ids = filed
    code, out, err = export(vault_path, tmp_path / "out", "--patient", "MN1990")
    assert code == 0, err
    files = [tmp_path / "out" / p.rsplit("/", 1)[-1] for p in json.loads(out)["files"]]
    assert len(files) == len(SOURCES)
    studies, instances = set(), set()
    for number, path in enumerate(files, start=1):
        assert path.name.startswith("NGUYEN_Mai_19900605_") and path.suffix == ".dcm"
        assert dciodvfy_errors(path) == [], path.name
        ds = pydicom.dcmread(path)
        assert ds.SOPClassUID == VL_PHOTO and ds.Modality == "XC"
        assert str(ds.PatientName) == "NGUYEN^Mai" and ds.PatientID == "MN1990"
        assert ds.PatientBirthDate == "19900605" and ds.PatientSex == "F"
        assert ds.BodyPartExamined == "ANKLE" and ds.ImageLaterality == "L"
        assert ds.Manufacturer == "Clinfile" and ds.StudyID and ds.AccessionNumber
        assert ds.SeriesNumber and ds.InstanceNumber == number
        assert "AcquisitionContextSequence" in ds
        assert ds.BurnedInAnnotation == "NO" and ds.RecognizableVisualFeatures == "NO"
        assert ds.PatientIdentityRemoved == "NO"
        assert not [e for e in ds.iterall() if e.tag.group == 0x0016], "geolocation filled"
        assert decoded_size(ds) == (ds.Columns, ds.Rows)
        studies.add(ds.StudyInstanceUID)
        instances.add(ds.SOPInstanceUID)
    assert len(studies) == 1 and len(instances) == len(SOURCES)


def test_a_camera_jpeg_is_carried_as_it_was_compressed_and_others_truthfully(
        vault_path, login, filed, tmp_path):
    _, ids = filed
    session = login("clinician")
    with session.vault.index() as conn:
        photos = read_archive_photos(conn, session.vault, [filed_image(conn, i) for i in ids])
        by_name = {p.stored.source_path.rsplit("/", 1)[-1]: p for p in photos}
        gps_original = session.vault.blobs.read_bytes(by_name["DSCN0010.jpg"].stored.original_blob)
    objects = {name: pydicom.dcmread(pydicom.filebase.DicomBytesIO(
        dicom_object(session.vault, photo).data)) for name, photo in by_name.items()}

    camera = objects["DSCN0010.jpg"]
    assert camera.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50"
    [frame] = generate_fragmented_frames(camera.PixelData)
    assert b"".join(frame) == strip_jpeg(gps_original)  # the camera's image data, untouched
    assert b"Exif" not in b"".join(frame) and b"GPS" not in camera.PixelData
    assert camera.ImageType[0] == "ORIGINAL" and camera.LossyImageCompression == "01"
    assert camera.AcquisitionDateTime.startswith("2008")

    for lossless in ("Arbitro.tiff", "BSG1.png"):
        ds = objects[lossless]
        assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
        assert ds.LossyImageCompression == "00" and ds.ImageType[0] == "DERIVED"
    phone = objects["IMG_5195.HEIC"]
    assert phone.LossyImageCompression == "01" and phone.LossyImageCompressionMethod == \
        "ISO_10918_1" and float(phone.LossyImageCompressionRatio) > 1
    assert "HEIF" in phone.DerivationDescription
    turned = objects["portrait_6.jpg"]
    assert turned.Rows > turned.Columns and "upright" in turned.DerivationDescription


def test_uids_are_stable_and_a_correction_makes_a_new_instance(vault_path, login, filed,
                                                               tmp_path):
    patient, ids = filed
    session = login("clinician")

    first = made(session, ids[0])
    assert made(session, ids[0]).SOPInstanceUID == first.SOPInstanceUID
    FilingService(session).correct_body_site(ids[0], BodySite.parse("right-ankle"),
                                             "photographed the other ankle", filed_to=patient)
    corrected = made(session, ids[0])
    assert corrected.SOPInstanceUID != first.SOPInstanceUID
    assert corrected.StudyInstanceUID == first.StudyInstanceUID
    assert corrected.ImageLaterality == "R"


def made(session, image_id):
    """Build one filed picture's DICOM object and read it back."""
    with session.vault.index() as conn:
        [photo] = read_archive_photos(conn, session.vault, [filed_image(conn, image_id)])
    return pydicom.dcmread(pydicom.filebase.DicomBytesIO(dicom_object(session.vault,
                                                                      photo).data))


def test_teaching_export_is_refused_without_consent_and_de_identified_with_it(
        vault_path, login, filed, tmp_path):
    patient, ids = filed
    teaching = ("--images", ",".join(map(str, ids[:2])))
    code, _, err = export(vault_path, tmp_path / "t", *teaching, purpose="education",
                          recipient="students")
    assert code == 3 and "education" in err
    assert not (tmp_path / "t").exists()

    consent = care_consent(login("clinician"), patient, purposes=(Purpose.EDUCATION,),
                           recipients=(RecipientClass.STUDENTS,), method=Method.VERBAL)
    code, out, err = export(vault_path, tmp_path / "t", *teaching, purpose="education",
                            recipient="students")
    assert code == 0, err
    for path in (tmp_path / "t").iterdir():
        assert path.name.startswith("education-") and path.suffix == ".dcm"
        assert dciodvfy_errors(path) == [], path.name
        raw = path.read_bytes()
        assert b"Nguyen" not in raw and b"NGUYEN" not in raw and b"MN1990" not in raw
        assert b"19900605" not in raw and b"Mai" not in raw
        ds = pydicom.dcmread(path)
        assert ds.PatientIdentityRemoved == "YES" and ds.DeidentificationMethod
        [item] = ds.ConsentForClinicalTrialUseSequence
        assert item.ConsentForDistributionFlag == "YES"
        # Nothing leads back to the vault's records: no consent code, no study id.
        assert item.ClinicalTrialProtocolID == "Clinfile consent"
        assert consent.code.encode() not in raw
        assert ds.StudyID == "" and ds.AccessionNumber == ""

    ConsentService(login("clinician")).withdraw(consent.code, frozenset({Purpose.EDUCATION}),
                                               reason="changed her mind")
    ds = made(login("clinician"), ids[0])
    assert ds.ConsentForClinicalTrialUseSequence[0].ConsentForDistributionFlag == "WITHDRAWN"

    with login("admin").vault.index() as conn:
        rows = [(a, json.loads(d)) for a, d in conn.execute(
            "SELECT action, detail FROM audit ORDER BY seq")]
    exported = [d for a, d in rows if a == "images.exported"]
    assert exported[-1]["format"] == "dicom" and exported[-1]["deidentified"] is True
    assert any(a == "use.refused" for a, _ in rows)


def test_no_picture_reaches_a_temporary_file(vault_path, login, filed, tmp_path, monkeypatch):
    spare = tmp_path / "tmp"
    spare.mkdir()
    monkeypatch.setenv("TMPDIR", str(spare))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    code, _, err = export(vault_path, tmp_path / "out", "--patient", "MN1990")
    assert code == 0, err
    assert list(spare.iterdir()) == []


def test_reception_may_not_export_to_dicom(vault_path, filed, tmp_path):
    code, _, err = export(vault_path, tmp_path / "out", "--patient", "MN1990", user="reception")
    assert code == 3
    assert not (tmp_path / "out").exists()


def test_hostile_words_in_names_and_descriptions_still_make_valid_objects(
        vault_path, login, corpus, tmp_path):
    from clinfile.app.settings import SettingsService

    SettingsService(login("admin")).change(practice_name="Smith\\Jones =Clinic^\r\nNorth")
    clinician = login("clinician")
    patient = add_patient(login("admin"), record_number="ob\\1", family="O'Brien^Nguyễn=X",
                          given="Ana\\Maria\tJo")
    ids = import_files(clinician, corpus_copies(corpus, ["jpg/Canon_40D.jpg"], tmp_path / "d"))
    file_pictures(clinician, ids, patient, site="left-ankle: 2 cm \\ above\nthe malleolus",
                  episode="rash\\itch\r\non the =ankle^" + "x" * 80)
    path = tmp_path / "hostile.dcm"
    ds = made(clinician, ids[0])
    ds.save_as(path, enforce_file_format=True)
    assert dciodvfy_errors(path) == []
    assert str(ds.PatientName) == "O'BRIEN NGUYỄN X^Ana/Maria Jo"
    assert ds.PatientID == "ob/1"
    assert "\\" not in ds.StudyDescription and "\n" not in ds.StudyDescription
    assert ds.StudyDescription.startswith("rash/itch on the =ankle^")
    assert len(ds.StudyDescription) <= 64 and ds.InstitutionName == "Smith/Jones =Clinic^ North"
