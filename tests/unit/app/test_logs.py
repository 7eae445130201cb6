import logging
import warnings

import pytest

from clinfile.app.logs import MASK, ROOT, configure, redact


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    """The log configured into ``tmp_path``, then taken down, so later tests log as before."""
    monkeypatch.setenv("CLINFILE_LOG_DIR", "")  # put back afterwards: configure sets it
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    logger = logging.getLogger(ROOT)
    handlers, level = list(logger.handlers), logger.level
    yield configure(tmp_path)
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_identifiers_and_keys_are_masked():
    text = ("filing smith_j_dob12-03-1980.jpg for 2123 45670 1, IHI 8003608166690503, "
            "mail jo@example.com, key 6M79-NWNW-KJ9K-S5ZA-229X-1S8F-ZQ2D-NBTE")
    masked = redact(text)
    for secret in ["12-03-1980", "2123 45670 1", "8003608166690503", "jo@example.com",
                   "6M79-NWNW"]:
        assert secret not in masked
    assert masked.count(MASK) == 5


def test_the_log_file_holds_only_redacted_text(log_file):
    log = logging.getLogger("clinfile.test")
    try:
        raise ValueError("cannot open Jo Smith 12/03/1980.jpg")
    except ValueError:
        log.exception("import failed for %s", "2123456701")
    for handler in logging.getLogger("clinfile").handlers:
        handler.flush()
    written = log_file.read_text()
    assert "12/03/1980" not in written and "2123456701" not in written
    assert "import failed" in written and "ValueError" in written


def _jpeg_with_corrupt_exif(path) -> None:
    """A real JPEG whose EXIF block claims more than it holds: Pillow warns as it reads it."""
    import io
    import struct

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(buffer, "JPEG")
    data = buffer.getvalue()
    exif = b"Exif\x00\x00" + b"II*\x00\x08\x00\x00\x00" + b"\xff\xff" + b"\x00" * 20
    segment = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    path.write_bytes(data[:2] + segment + data[2:])


def test_pillow_warnings_about_a_bad_file_go_to_the_log_not_the_terminal(vault_path, tmp_path):
    import os
    import subprocess

    from tests.conftest import PASSWORDS
    from tests.integration.importing import command

    drop = tmp_path / "drop"
    drop.mkdir()
    _jpeg_with_corrupt_exif(drop / "from the patient.jpg")
    state = tmp_path / "state"
    done = subprocess.run(
        [*command(), "import", str(vault_path), str(drop), "--user", "reception",
         "--password-stdin"],
        input=PASSWORDS["reception"] + "\n", capture_output=True, text=True, timeout=120,
        env={**os.environ, "XDG_STATE_HOME": str(state), "HOME": str(tmp_path)})

    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "EXIF" not in done.stderr, done.stderr
    written = "".join(p.read_text() for p in state.rglob("clinfile.log"))
    assert "clinfile.warnings" in written and "Corrupt EXIF data" in written
