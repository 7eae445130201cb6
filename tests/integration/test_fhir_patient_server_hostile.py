"""A FHIR server that misbehaves: the refresh stops with a clear reason and keeps the token safe.

Small HTTP servers on loopback answer the patient search with a redirect to
another server, with JSON that is not a Bundle, with a page dripped a byte
at a time, and with a page far larger than any real one. Each time the
refresh ends with exit 2 and words saying why, the index unchanged.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clinfile.app.interop import fhir_server
from clinfile.db.patients import PatientRepository
from tests.conftest import PASSWORDS
from tests.unit.app.cli.calling import call

TOKEN = "s3cret-fhir-token"


class Hostile:
    """A loopback HTTP server answering each GET with ``answer(handler)``, noting each request."""

    def __init__(self, answer) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.stopping = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server name
                owner.seen.append((self.path, self.headers.get("Authorization")))
                try:
                    answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    started: list[Hostile] = []

    def start(answer) -> Hostile:
        started.append(Hostile(answer))
        return started[-1]
    yield start
    for server in started:
        server.close()


def send(handler, body: bytes, status: int = 200) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/fhir+json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def refresh_from(vault_path, url: str) -> tuple[int, str, str]:
    code, _, err = call(["fhir", "server", str(vault_path), "--url", url, "--user", "admin",
                         "--password-stdin"], PASSWORDS["admin"])
    assert code == 0, err
    return call(["fhir", "refresh", str(vault_path), "--token", "--user", "reception",
                 "--password-stdin"], PASSWORDS["reception"], TOKEN)


def no_patients(login) -> bool:
    with login("reception").vault.index() as conn:
        return PatientRepository(conn).count() == 0


def test_a_redirect_to_another_server_is_refused_and_the_token_never_goes_there(
        vault_path, login, servers):
    elsewhere = servers(lambda h: send(h, b'{"resourceType": "Bundle", "entry": []}'))

    def redirect(handler):
        handler.send_response(302)
        handler.send_header("Location", f"{elsewhere.url}/steal")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    ours = servers(redirect)

    code, _, err = refresh_from(vault_path, f"{ours.url}/fhir")
    assert code == 2, err
    assert "another address" in err and "token" in err
    assert ours.seen and ours.seen[0][1] == f"Bearer {TOKEN}"
    assert elsewhere.seen == []
    assert no_patients(login)


def test_a_redirect_within_the_server_is_followed_with_the_token(vault_path, login, servers):
    def answer(handler):
        if handler.path.startswith("/moved"):
            return send(handler, b'{"resourceType": "Bundle", "type": "searchset", "entry": []}')
        handler.send_response(301)
        handler.send_header("Location", "/moved/Patient")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    ours = servers(answer)
    code, _, err = refresh_from(vault_path, f"{ours.url}/fhir")
    assert code == 0, err
    assert [auth for _, auth in ours.seen] == [f"Bearer {TOKEN}"] * 2


@pytest.mark.parametrize("body", [b"[1, 2, 3]", b'"Bundle"', b"42", b"null"])
def test_an_answer_that_is_not_a_bundle_is_explained(vault_path, login, servers, body):
    ours = servers(lambda h: send(h, body))
    code, _, err = refresh_from(vault_path, f"{ours.url}/fhir")
    assert code == 2, err
    assert "not a Bundle" in err and "Traceback" not in err
    assert no_patients(login)


def test_a_page_dripped_slowly_stops_at_the_deadline(vault_path, login, servers, monkeypatch):
    monkeypatch.setattr(fhir_server, "PAGE_SECONDS", 2)

    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/fhir+json")
        handler.end_headers()
        handler.wfile.write(b'{"resourceType": "Bundle", "entry": [')
        handler.wfile.flush()
        for _ in range(600):
            if ours.stopping.is_set():
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)
    ours = servers(drip)
    code, _, err = refresh_from(vault_path, f"{ours.url}/fhir")
    assert code == 2, err
    assert "too long" in err
    assert no_patients(login)


def test_a_page_larger_than_the_cap_is_refused_without_reading_it_all(vault_path, login,
                                                                       servers, monkeypatch):
    monkeypatch.setattr(fhir_server, "MAX_PAGE_BYTES", 1_000_000)

    def huge(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/fhir+json")
        handler.end_headers()
        handler.wfile.write(b'{"resourceType": "Bundle", "entry": [')
        entry = b'{"resource": {"resourceType": "Patient", "id": "x"}},' * 100
        for _ in range(20_000):
            handler.wfile.write(entry)
    ours = servers(huge)
    code, _, err = refresh_from(vault_path, f"{ours.url}/fhir")
    assert code == 2, err
    assert "too large" in err
    assert no_patients(login)
