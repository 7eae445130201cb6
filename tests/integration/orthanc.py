"""A real Orthanc PACS for the tests: a child process on loopback ports, in a test's own folder.

Never the system service: its configuration, index and storage live in the
test's temporary folder, it listens only on 127.0.0.1, and it is stopped
(and can be started again on the same ports and storage) by the test.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ORTHANC = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
DICOMWEB_PLUGIN = Path("/usr/share/orthanc/plugins/libOrthancDicomWeb.so")
AE_TITLE = "ARCHIVE"
USER, PASSWORD = "clinfile-tests", "a password only this test knows"


def require_orthanc() -> None:
    """Skip with the reason when the Orthanc package is not installed."""
    if not Path(ORTHANC).exists():
        pytest.skip("Orthanc is not installed (Debian package 'orthanc'; .ci/run installs it)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Orthanc:
    """One Orthanc server: start, stop, start again, and ask its REST API what it holds."""

    def __init__(self, folder: Path, *, dicomweb: bool = False, **settings) -> None:
        self.folder = folder
        self.dicom_port = free_port()
        self.http_port = free_port()
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "Name": "clinfile-test-archive",
            "StorageDirectory": str(folder / "storage"),
            "IndexDirectory": str(folder / "index"),
            "DicomAet": AE_TITLE,
            "DicomPort": self.dicom_port,
            "HttpPort": self.http_port,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": True,
            "RegisteredUsers": {USER: PASSWORD},
            "DicomCheckCalledAet": True,
            "HttpServerEnabled": True,
            "DicomServerEnabled": True,
            "StorageCompression": False,
            "Plugins": [str(DICOMWEB_PLUGIN)] if dicomweb and DICOMWEB_PLUGIN.exists() else [],
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
        } | settings
        self.config = folder / "orthanc.json"
        self.config.write_text(json.dumps(config))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> Orthanc:
        log = (self.folder / "orthanc.log").open("ab")
        self.process = subprocess.Popen([ORTHANC, str(self.config)], stdout=log,
                                        stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Orthanc stopped at once: {(self.folder / 'orthanc.log')}")
            try:
                self.get("/system")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        raise RuntimeError("Orthanc did not answer within 30 seconds")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def get(self, path: str):
        request = urllib.request.Request(self.url + path, headers={
            "Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()})
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body[:1] in (b"{", b"[") else body

    def post(self, path: str, data):
        request = urllib.request.Request(self.url + path, data=json.dumps(data).encode(),
                                         method="POST", headers={
            "Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
            "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def empty(self) -> None:
        """Delete every instance held, so the next test starts with an empty archive."""
        for patient in self.get("/patients"):
            request = urllib.request.Request(f"{self.url}/patients/{patient}", method="DELETE",
                                             headers={"Authorization": self._authorization()})
            urllib.request.urlopen(request, timeout=10).close()

    def _authorization(self) -> str:
        return "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def instances(self) -> list[dict]:
        """Every instance held, with its main DICOM tags (patient, study, instance)."""
        return [self.get(f"/instances/{i}/simplified-tags") for i in self.get("/instances")]


@pytest.fixture(scope="module")
def module_orthanc(tmp_path_factory):
    """One Orthanc for a test module: starting one takes seconds on a busy machine."""
    require_orthanc()
    server = Orthanc(tmp_path_factory.mktemp("orthanc")).start()
    yield server
    server.stop()


@pytest.fixture
def orthanc(module_orthanc):
    """The module's Orthanc, running and empty for each test (a test may stop or kill it)."""
    if not module_orthanc.running():
        module_orthanc.start()
    module_orthanc.empty()
    return module_orthanc
