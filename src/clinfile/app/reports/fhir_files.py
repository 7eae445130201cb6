"""Filed pictures as FHIR bundles, one per episode, read from the vault into memory.

The report service calls this for ``export --format fhir`` after the role
check and the consent gate. The pictures in a bundle are the clean
re-encoded JPEGs every export uses; a signed consent form goes the same way.
"""

from __future__ import annotations

import json
from itertools import groupby

from clinfile.app import clock
from clinfile.app.filing.model import FiledImage
from clinfile.app.interop.archive_photo import read_archive_photos
from clinfile.app.interop.fhir_bundle import episode_bundle
from clinfile.app.reports.gather import patient_header
from clinfile.app.reports.naming import record_file_name
from clinfile.app.reports.pictures import clean_jpeg
from clinfile.app.vault.vault import Vault
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientSummary
from clinfile.db.images import ImageRepository


def fhir_files(conn: Connection, vault: Vault, patient: PatientSummary,
               images: list[FiledImage]) -> list[tuple[str, bytes]]:
    """Return one Bundle file per episode among the images, named for the patient's record."""
    photos = read_archive_photos(conn, vault, images)
    rows = ImageRepository(conn)
    files = []
    by_episode = sorted(photos, key=lambda p: (p.image.episode_id, p.position))
    for episode_id, group in groupby(by_episode, key=lambda p: p.image.episode_id):
        episode = list(group)
        pictures = {p.image.image_id: clean_jpeg(vault.blobs.read_bytes(
            rows.by_id(p.image.image_id).derivative_blob)).jpeg for p in episode}
        forms = {c.signed_form_blob: clean_jpeg(vault.blobs.read_bytes(c.signed_form_blob)).jpeg
                 for c in episode[0].consents if c.signed_form_blob}
        bundle = episode_bundle(episode, pictures, forms)
        name = record_file_name(patient_header(patient), clock.today(), extension="json",
                                pattern=f"{{SURNAME}}_{{Firstname}}_{{DOB}}_{{DATE}}"
                                        f"_episode-{episode_id}")
        files.append((name, json.dumps(bundle, indent=1).encode("utf-8")))
    return files
