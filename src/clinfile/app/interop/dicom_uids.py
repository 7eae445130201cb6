"""Stable DICOM identifiers: the same picture always gets the same UIDs, a corrected one new ones.

UIDs are derived (as ``2.25`` UUID-based UIDs) from the vault's own id and
the picture's place in it, so sending a picture twice sends the same
instance and the archive keeps one copy; a correction (another patient,
another body site) changes what the object says, so it gets a new SOP
Instance UID. A de-identified copy is derived apart, so it cannot be linked
back to the identified one by its UIDs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clinfile.app.interop.archive_photo import ArchivePhoto


@dataclass(frozen=True)
class PhotoUids:
    """The study, series and instance a picture belongs to in the archive."""

    study: str
    series: str
    instance: str


def photo_uids(photo: ArchivePhoto, *, deidentified: bool = False) -> PhotoUids:
    """Return the UIDs for a picture: one study per episode and patient, one series per site."""
    scope = [photo.vault_id, "deidentified" if deidentified else "identified"]
    image = photo.image
    episode = [*scope, str(image.episode_id), str(image.patient_id)]
    return PhotoUids(
        study=_uid([*episode, "study"]),
        series=_uid([*episode, "series", image.body_site.site, image.body_site.laterality]),
        instance=_uid([*scope, "image", str(image.image_id), str(photo.revision)]),
    )


#: The namespace of every name-based UUID Clinfile derives its UIDs from.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:clinfile:dicom")


def _uid(parts: list[str]) -> str:
    """Return a ``2.25`` UID from a name-based UUID (ISO/IEC 9834-8): same parts, same UID."""
    return f"2.25.{uuid.uuid5(_NAMESPACE, chr(31).join(parts)).int}"
