"""Refreshing the patient index from the practice's FHIR server, so every workstation matches alike.

The server's Patient search is read page by page (``Patient?_count=N``, then
each Bundle's ``next`` link) and every Patient goes through the same reading
and checks as a FHIR file import (:mod:`app.patients.fhir_import`), then
into the index as an import does: updated by record number and
identifiers, never added twice, in one transaction with its audit row.

The server's access token lives in the operating system's keyring (the
:class:`app.security.secrets.SecretStore`), never in the vault's settings
or a file. It is sent only to the configured server: a ``next`` link to
any other address is refused, as is plain HTTP to anything but this
computer itself.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.patients.fhir_import import patient_record
from app.patients.service import ImportReport, PatientService
from app.patients.sources import SourceProblem, SourceRecord
from app.security.roles import Permission
from app.security.secrets import KeyringSecretStore, SecretStore
from app.security.session import Session
from app.vault.errors import VaultError
from db.connection import transaction
from db.settings import SettingsRepository

SETTING_KEY = "fhir_server"
SECRET_NAME = "fhir-server-token"
PAGE_SIZE = 100
MAX_PAGES = 10_000
TIMEOUT_SECONDS = 30


class FhirServerError(VaultError):
    """The FHIR server could not be used; ``str()`` says why in plain words."""


@dataclass(frozen=True)
class FhirServer:
    """The practice's FHIR server: its base address and how many patients to ask for per page."""

    base_url: str
    page_size: int = PAGE_SIZE

    def check(self) -> None:
        """Refuse an address the token must not be sent to.

        Raises:
            FhirServerError: not http(s), or plain HTTP to another computer.
        """
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise FhirServerError(f"'{self.base_url}' is not a web address such as "
                                  "https://fhir.example.org/r4.")
        if parts.scheme == "http" and not _this_computer(parts.hostname):
            raise FhirServerError("The FHIR server must be reached over https; plain http is "
                                  "accepted only on this computer itself.")
        if not 1 <= self.page_size <= 1000:
            raise FhirServerError("Ask for 1 to 1000 patients per page.")


class FhirServerService:
    """Setting up the FHIR server and refreshing the patient index from it, for one session."""

    def __init__(self, session: Session, secrets: SecretStore | None = None) -> None:
        self._session = session
        self._secrets = secrets or KeyringSecretStore(session.vault.vault_id)

    def configure(self, server: FhirServer, token: str | None) -> None:
        """Set the server (admins); keep its token in the keyring when one is given.

        Raises:
            PolicyRefused: the person may not change settings (audited).
            FhirServerError: the address is refused.
            SecretStoreUnavailable: there is no keyring to keep the token in.
        """
        self._session.require(Permission.CHANGE_SETTINGS, subject="FHIR server")
        server.check()
        if token:
            self._secrets.set(SECRET_NAME, token)
        with self._session.vault.index() as conn, transaction(conn):
            SettingsRepository(conn).put(SETTING_KEY, dataclasses.asdict(server))
        self._session.audit("fhir_server.configured", server.base_url,
                            {"page_size": server.page_size, "token_kept": bool(token)})

    def server(self) -> FhirServer | None:
        """Return the configured server, or None."""
        self._session.ensure_unlocked()
        with self._session.vault.index() as conn:
            stored = SettingsRepository(conn).all().get(SETTING_KEY)
        return FhirServer(**stored) if isinstance(stored, dict) else None

    def refresh(self, *, token: str | None = None,
                cancelled: Callable[[], bool] = lambda: False) -> ImportReport:
        """Read every Patient the server holds and bring the index up to date with them.

        Args:
            token: the server's token for this time only (when the keyring
                cannot keep it); else the kept one is used.
            cancelled: asked as the patients are written; true stops with nothing kept.

        Raises:
            PolicyRefused: the person may not manage patients (audited).
            FhirServerError: no server is set, or it cannot be read; the
                index is left as it was.
        """
        self._session.require(Permission.MANAGE_PATIENTS, subject="FHIR server")
        server = self.server()
        if server is None:
            raise FhirServerError("No FHIR server is set up; an admin sets it with "
                                  "'clinfile fhir server'.")
        server.check()
        token = token or self._secrets.get(SECRET_NAME)
        records = list(search_patients(server, token))
        host = urllib.parse.urlsplit(server.base_url).hostname
        report = None
        for progress in PatientService(self._session).import_records(
                f"FHIR server {host}", "fhir", records, cancelled):
            report = progress.report or report
        return report


def search_patients(server: FhirServer, token: str | None
                    ) -> Iterator[SourceRecord | SourceProblem]:
    """Yield every Patient of the server's search, page by page, as the FHIR import reads them.

    Raises:
        FhirServerError: the server refused, could not be reached, answered
            with something other than a search Bundle, or sent a link elsewhere.
    """
    base = server.base_url.rstrip("/")
    url = f"{base}/Patient?_count={server.page_size}"
    seen: set[str] = set()
    number = 0
    for page in range(1, MAX_PAGES + 1):
        seen.add(url)
        bundle = _get_json(url, token)
        if bundle.get("resourceType") != "Bundle":
            raise FhirServerError("The FHIR server's answer to the patient search was not a "
                                  "Bundle.")
        for entry in bundle.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
                number += 1
                yield patient_record(f"page {page}, patient {number}", resource)
        following = next((link.get("url") for link in bundle.get("link") or []
                          if isinstance(link, dict) and link.get("relation") == "next"), None)
        if not following:
            return
        following = urllib.parse.urljoin(url, following)
        if not _same_server(base, following):
            raise FhirServerError("The FHIR server pointed the next page at another address; "
                                  "the token is not sent there.")
        if following in seen:
            return
        url = following
    raise FhirServerError(f"The FHIR server sent more than {MAX_PAGES} pages; stopped.")


def _get_json(url: str, token: str | None) -> dict:
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise FhirServerError("The FHIR server refused the token (it may be wrong or "
                                  "expired); an admin can set it again.") from None
        raise FhirServerError(f"The FHIR server answered with an error ({exc.code}).") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FhirServerError(f"The FHIR server could not be reached ({reason}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FhirServerError("The FHIR server's answer was not readable JSON.") from None


def _same_server(base: str, url: str) -> bool:
    ours, theirs = urllib.parse.urlsplit(base), urllib.parse.urlsplit(url)
    return (ours.scheme, ours.hostname, ours.port) == (theirs.scheme, theirs.hostname,
                                                       theirs.port)


def _this_computer(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
