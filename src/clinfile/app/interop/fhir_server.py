"""Refreshing the patient index from the practice's FHIR server, so every workstation matches alike.

The server's Patient search is read page by page (``Patient?_count=N``, then
each Bundle's ``next`` link) and every Patient goes through the same reading
and checks as a FHIR file import (:mod:`app.patients.fhir_import`), then
into the index as an import does: updated by record number and
identifiers, never added twice, in one transaction with its audit row.

The server's access token lives in the operating system's keyring (the
:class:`app.custody.secrets.SecretStore`), never in the vault's settings
or a file. It is sent only to the configured server: a ``next`` link or
a redirect to any other address is refused, as is plain HTTP to anything
but this computer itself. A page must arrive within a deadline and under a
size cap, so a slow or runaway server cannot hold the refresh or fill the
memory.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from clinfile.app.custody.secrets import KeyringSecretStore, SecretStore
from clinfile.app.patients.fhir_import import patient_record
from clinfile.app.patients.service import ImportReport, PatientService
from clinfile.app.patients.sources import SourceProblem, SourceRecord
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.app.vault.errors import VaultError
from clinfile.db.connection import transaction
from clinfile.db.settings import SettingsRepository

SETTING_KEY = "fhir_server"
SECRET_NAME = "fhir-server-token"
PAGE_SIZE = 100
MAX_PAGES = 10_000
#: Longest wait for any one network read.
TIMEOUT_SECONDS = 30
#: Longest a whole page may take to arrive (the last read may add up to TIMEOUT_SECONDS).
PAGE_SECONDS = 120
#: Largest page read: a thousand patients take a few megabytes.
MAX_PAGE_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


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
        bundle = _get_json(base, url, token)
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise FhirServerError("The FHIR server's answer to the patient search was not a "
                                  "Bundle.")
        for entry in _listed(bundle.get("entry")):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
                number += 1
                yield patient_record(f"page {page}, patient {number}", resource)
        following = next((link.get("url") for link in _listed(bundle.get("link"))
                          if isinstance(link, dict) and link.get("relation") == "next"), None)
        if not following or not isinstance(following, str):
            return
        following = urllib.parse.urljoin(url, following)
        if not _same_server(base, following):
            raise FhirServerError("The FHIR server pointed the next page at another address; "
                                  "the token is not sent there.")
        if following in seen:
            return
        url = following
    raise FhirServerError(f"The FHIR server sent more than {MAX_PAGES} pages; stopped.")


def _get_json(base: str, url: str, token: str | None) -> object:
    """GET one page from the server, with the token, within the deadline and the size cap."""
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(_SameServerRedirects(base))
    deadline = time.monotonic() + PAGE_SECONDS
    try:
        with opener.open(request, timeout=min(TIMEOUT_SECONDS, PAGE_SECONDS)) as answer:
            return json.loads(_read_page(answer, deadline))
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise FhirServerError("The FHIR server refused the token (it may be wrong or "
                                  "expired); an admin can set it again.") from None
        raise FhirServerError(f"The FHIR server answered with an error ({exc.code}).") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FhirServerError(f"The FHIR server could not be reached ({reason}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise FhirServerError("The FHIR server's answer was not readable JSON.") from None


def _read_page(answer, deadline: float) -> bytes:
    """Read a whole answer, refusing one that is too large or takes too long to arrive."""
    too_large = FhirServerError(f"A page from the FHIR server was too large (over "
                                f"{MAX_PAGE_BYTES // (1024 * 1024)} MB); stopped.")
    length = answer.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > MAX_PAGE_BYTES:
        raise too_large
    page = bytearray()
    while chunk := answer.read1(_CHUNK):
        page += chunk
        if len(page) > MAX_PAGE_BYTES:
            raise too_large
        if time.monotonic() > deadline:
            raise FhirServerError(f"A page from the FHIR server took too long to arrive (over "
                                  f"{PAGE_SECONDS} seconds); stopped.")
    return bytes(page)


class _SameServerRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the configured server, so the token never goes elsewhere."""

    def __init__(self, base: str) -> None:
        self._base = base

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not _same_server(self._base, urllib.parse.urljoin(req.full_url, newurl)):
            fp.close()
            raise FhirServerError("The FHIR server redirected the patient search to another "
                                  "address; the token is not sent there.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _listed(value: object) -> list:
    return value if isinstance(value, list) else []


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
