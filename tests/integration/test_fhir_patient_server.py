"""Refreshing the patient index from a FHIR server's paged Patient search.

A small HTTP server on loopback serves real FHIR R4 JSON (searchset
Bundles of Patients with Australian identifiers, ``next`` links between
pages) and asks for a bearer token, which Clinfile keeps in the keyring.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clinfile.app.patients.fhir_import import IHI_SYSTEM
from clinfile.db.patients import PatientRepository
from tests.conftest import PASSWORDS
from tests.unit.app.cli.calling import as_user, call

TOKEN = "s3cret-fhir-token"


def patient(n: int, family: str | None = None) -> dict:
    return {
        "resourceType": "Patient", "id": f"p{n}",
        "identifier": [
            {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                  "code": "MR"}]}, "value": f"MRN{n:04d}"},
            {"system": IHI_SYSTEM, "value": f"80036012345{n:05d}"[:16]}],
        "name": [{"use": "official", "family": family or f"Family{n}", "given": [f"Given{n}"]}],
        "gender": "female" if n % 2 else "male",
        "birthDate": f"19{50 + n % 50:02d}-0{1 + n % 9}-1{n % 10}",
    }


class FhirServer:
    """Patients served 10 to a page, as a FHIR server's search does."""

    def __init__(self, patients: list[dict]) -> None:
        self.patients = patients
        self.requests: list[str] = []
        self.next_elsewhere = False
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server name
                owner.requests.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._send(401, {"resourceType": "OperationOutcome", "issue": [
                        {"severity": "error", "code": "login"}]})
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                count = int(query.get("_count", ["10"])[0])
                offset = int(query.get("_offset", ["0"])[0])
                page = owner.patients[offset:offset + count]
                links = [{"relation": "self", "url": owner.url + self.path}]
                if offset + count < len(owner.patients):
                    host = "http://203.0.113.9" if owner.next_elsewhere else owner.url
                    links.append({"relation": "next", "url": f"{host}/fhir/Patient?"
                                  f"_count={count}&_offset={offset + count}"})
                return self._send(200, {
                    "resourceType": "Bundle", "type": "searchset",
                    "total": len(owner.patients), "link": links,
                    "entry": [{"fullUrl": f"{owner.url}/fhir/Patient/{p['id']}",
                               "resource": p, "search": {"mode": "match"}} for p in page]})

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fhir_server():
    server = FhirServer([patient(n) for n in range(1, 26)])
    yield server
    server.close()


def configure(vault_path, server, *, token=True):
    argv = ["fhir", "server", str(vault_path), "--url", f"{server.url}/fhir", "--page-size",
            "10", "--user", "admin", "--password-stdin"]
    lines = [PASSWORDS["admin"]]
    if token:
        argv.append("--token")
        lines.append(TOKEN)
    return call(argv, *lines)


def test_the_index_is_refreshed_page_by_page_with_the_token_from_the_keyring(
        vault_path, login, fhir_server, memory_keyring):
    code, _, err = configure(vault_path, fhir_server)
    assert code == 0, err
    assert TOKEN in memory_keyring.secrets.values()
    with login("admin").vault.index() as conn:
        stored = json.dumps([list(r) for r in conn.execute("SELECT * FROM settings")])
        audit = json.dumps([list(r) for r in conn.execute("SELECT * FROM audit")])
    assert TOKEN not in stored and TOKEN not in audit

    code, out, err = as_user(vault_path, "reception", "fhir refresh", "--json")
    assert code == 0, err
    assert json.loads(out)["added"] == 25
    assert len(fhir_server.requests) == 3  # 10 + 10 + 5
    with login("reception").vault.index() as conn:
        rows = {p.record_number: p for p in PatientRepository(conn).all()}
    assert len(rows) == 25 and rows["MRN0007"].family_name == "Family7"
    assert rows["MRN0007"].given_names == "Given7" and rows["MRN0007"].sex == "female"

    fhir_server.patients[6] = patient(7, family="Married-Name")
    code, out, err = as_user(vault_path, "reception", "fhir refresh", "--json")
    report = json.loads(out)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 1, 24)
    with login("reception").vault.index() as conn:
        assert PatientRepository(conn).by_record_number("MRN0007").family_name == "Married-Name"


def test_a_wrong_token_or_a_next_page_elsewhere_leaves_the_index_as_it_was(
        vault_path, login, fhir_server, memory_keyring):
    assert configure(vault_path, fhir_server, token=False)[0] == 0
    code, _, err = as_user(vault_path, "reception", "fhir refresh")
    assert code == 2 and "refused the token" in err
    fhir_server.next_elsewhere = True
    code, _, err = call(["fhir", "refresh", str(vault_path), "--token", "--user", "reception",
                         "--password-stdin"], PASSWORDS["reception"], TOKEN)
    assert code == 2 and "another address" in err
    with login("reception").vault.index() as conn:
        assert PatientRepository(conn).count() == 0


def test_plain_http_to_another_computer_is_refused_and_only_admins_set_the_server(vault_path):
    code, _, err = call(["fhir", "server", str(vault_path), "--url", "http://fhir.example.org/r4",
                         "--user", "admin", "--password-stdin"], PASSWORDS["admin"])
    assert code == 2 and "https" in err
    code, _, err = as_user(vault_path, "reception", "fhir server", "--url",
                           "https://fhir.example.org/r4")
    assert code == 3
