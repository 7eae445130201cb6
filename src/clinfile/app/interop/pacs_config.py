"""Which PACS the practice archives into: AE titles, host, port and optional TLS.

Kept in the vault's settings, so every workstation of the practice sends to
the same archive, and changed only by an admin, on the record. File paths
for TLS name a CA bundle and this workstation's certificate; no secret is
stored here.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from clinfile.app.vault.errors import VaultError
from clinfile.db.connection import Connection
from clinfile.db.settings import SettingsRepository

SETTING_KEY = "pacs"
#: The keyring entry holding the password of the archive's DICOMweb address.
DICOMWEB_SECRET = "pacs-dicomweb-password"
_AE_TITLE = re.compile(r"^[ -\[\]-~]{1,16}$")  # printable ASCII but backslash, 16 at most


class PacsConfigError(VaultError):
    """A PACS setting that cannot work; ``str()`` says which and why."""


@dataclass(frozen=True)
class PacsConfig:
    """How to reach the practice's PACS.

    Attributes:
        host: the archive's host name or address.
        port: its DICOM port (Orthanc's default is 4242).
        called_ae: the archive's AE title.
        calling_ae: this practice's AE title, as the archive knows it.
        tls_ca: a CA bundle to check the archive's certificate; TLS is used when set.
        tls_certificate: this workstation's certificate, when the archive asks for one.
        tls_key: the key of that certificate.
        dicomweb_url: the archive's DICOMweb address (QIDO-RS, WADO-RS), for
            showing pictures other workstations archived; its password, if
            any, is kept in the keyring.
        dicomweb_user: the user name for that address.
    """

    host: str
    port: int
    called_ae: str
    calling_ae: str = "CLINFILE"
    tls_ca: str = ""
    tls_certificate: str = ""
    tls_key: str = ""
    dicomweb_url: str = ""
    dicomweb_user: str = ""

    @property
    def uses_tls(self) -> bool:
        """Whether the connection is encrypted."""
        return bool(self.tls_ca)

    def check(self) -> None:
        """Refuse settings that cannot work, saying which.

        Raises:
            PacsConfigError: a setting is missing, out of range or names no file.
        """
        if not self.host.strip():
            raise PacsConfigError("Give the PACS's host name or address.")
        if not 1 <= self.port <= 65535:
            raise PacsConfigError("The PACS port must be a number from 1 to 65535.")
        for what, title in (("PACS's", self.called_ae), ("practice's", self.calling_ae)):
            if not _AE_TITLE.match(title) or not title.strip():
                raise PacsConfigError(f"The {what} AE title must be 1 to 16 plain characters "
                                      f"(letters, digits, spaces), not {title!r}.")
        if (self.tls_certificate or self.tls_key) and not self.tls_ca:
            raise PacsConfigError("A workstation certificate needs the CA bundle (--tls-ca) too.")
        if bool(self.tls_certificate) != bool(self.tls_key):
            raise PacsConfigError("Give both the workstation's certificate and its key.")
        if self.dicomweb_url and not self.dicomweb_url.startswith(("https://", "http://")):
            raise PacsConfigError(f"'{self.dicomweb_url}' is not a web address such as "
                                  "https://pacs.example.org/dicom-web.")
        for path in (self.tls_ca, self.tls_certificate, self.tls_key):
            if path and not Path(path).is_file():
                raise PacsConfigError(f"There is no file {path}.")


def read_pacs_config(conn: Connection) -> PacsConfig | None:
    """Return the practice's PACS, or None when none is set up."""
    stored = SettingsRepository(conn).all().get(SETTING_KEY)
    if not isinstance(stored, dict):
        return None
    known = {f.name for f in dataclasses.fields(PacsConfig)}
    return PacsConfig(**{k: v for k, v in stored.items() if k in known})


def write_pacs_config(conn: Connection, config: PacsConfig) -> None:
    """Store the practice's PACS (the caller checks the role and audits)."""
    SettingsRepository(conn).put(SETTING_KEY, dataclasses.asdict(config))
