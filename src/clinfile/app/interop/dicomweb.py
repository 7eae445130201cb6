"""Asking the practice's archive over DICOMweb: QIDO-RS finds a patient's pictures, WADO-RS one.

Plain HTTP requests with the standard library; the password (HTTP basic)
comes from the keyring and goes only to the configured address, over
https, or over http to this computer itself.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from clinfile.app.vault.errors import VaultError

TIMEOUT_SECONDS = 30
VL_PHOTOGRAPHIC_IMAGE = "1.2.840.10008.5.1.4.1.1.77.1.4"
#: Attributes asked of each instance found: UIDs, dates and what it shows.
INCLUDE = ("0020000D", "0020000E", "00080018", "00080016", "00080020", "00080030",
           "00081030", "0008103E", "00180015", "00080080")


class ArchiveUnreachable(VaultError):
    """The archive's DICOMweb address could not be used; ``str()`` says why."""


@dataclass(frozen=True)
class FoundInstance:
    """One picture the archive holds, as its search answered."""

    study: str
    series: str
    instance: str
    sop_class: str
    study_date: str
    study_description: str
    series_description: str
    body_part: str
    institution: str


@dataclass(frozen=True)
class DicomWeb:
    """One DICOMweb service: its address and, where it asks for one, a user and password."""

    base_url: str
    user: str = ""
    password: str = ""

    def check(self) -> None:
        """Refuse plain http to another computer: the password would cross the network in clear.

        Raises:
            ArchiveUnreachable: the address is not one to send a password to.
        """
        parts = urllib.parse.urlsplit(self.base_url)
        loopback = parts.hostname == "localhost" or _is_loopback(parts.hostname or "")
        if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not loopback):
            raise ArchiveUnreachable("The archive's DICOMweb address must use https (plain "
                                     "http only on this computer itself).")

    def patient_pictures(self, patient_id: str) -> list[FoundInstance]:
        """Search the archive (QIDO-RS) for every photograph of a patient, by Patient ID."""
        query = urllib.parse.urlencode([("PatientID", patient_id),
                                        *(("includefield", tag) for tag in INCLUDE)])
        answer = self._get(f"/instances?{query}", "application/dicom+json")
        found = json.loads(answer or b"[]")
        return [instance for instance in map(_found, found)
                if instance.sop_class == VL_PHOTOGRAPHIC_IMAGE]

    def fetch(self, instance: FoundInstance) -> bytes:
        """Fetch one instance (WADO-RS) as a DICOM Part 10 file's bytes."""
        path = (f"/studies/{instance.study}/series/{instance.series}"
                f"/instances/{instance.instance}")
        accept = 'multipart/related; type="application/dicom"'
        answer, content_type = self._get(path, accept, with_type=True)
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + answer)
        for part in message.iter_parts():
            if part.get_content_type() == "application/dicom":
                return part.get_payload(decode=True)
        raise ArchiveUnreachable("The archive sent no DICOM object for that picture.")

    def _get(self, path: str, accept: str, *, with_type: bool = False):
        self.check()
        headers = {"Accept": accept}
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        request = urllib.request.Request(self.base_url.rstrip("/") + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                body = answer.read()
                return (body, answer.headers.get("Content-Type", "")) if with_type else body
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise ArchiveUnreachable("The archive refused the user name or password; an "
                                         "admin can set them again.") from None
            raise ArchiveUnreachable(f"The archive answered with an error ({exc.code}).") \
                from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ArchiveUnreachable(f"The archive could not be reached ({reason}); the "
                                     "pictures kept here are still shown.") from None


def _found(item: dict) -> FoundInstance:
    def value(tag: str) -> str:
        values = (item.get(tag) or {}).get("Value") or [""]
        return str(values[0])

    return FoundInstance(value("0020000D"), value("0020000E"), value("00080018"),
                         value("00080016"), value("00080020"), value("00081030"),
                         value("0008103E"), value("00180015"), value("00080080"))


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
