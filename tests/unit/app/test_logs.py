import logging

from app.logs import MASK, configure, redact


def test_identifiers_and_keys_are_masked():
    text = ("filing smith_j_dob12-03-1980.jpg for 2123 45670 1, IHI 8003608166690503, "
            "mail jo@example.com, key 6M79-NWNW-KJ9K-S5ZA-229X-1S8F-ZQ2D-NBTE")
    masked = redact(text)
    for secret in ["12-03-1980", "2123 45670 1", "8003608166690503", "jo@example.com",
                   "6M79-NWNW"]:
        assert secret not in masked
    assert masked.count(MASK) == 5


def test_the_log_file_holds_only_redacted_text(tmp_path):
    path = configure(tmp_path)
    log = logging.getLogger("clinfile.test")
    try:
        raise ValueError("cannot open Jo Smith 12/03/1980.jpg")
    except ValueError:
        log.exception("import failed for %s", "2123456701")
    for handler in logging.getLogger("clinfile").handlers:
        handler.flush()
    written = path.read_text()
    assert "12/03/1980" not in written and "2123456701" not in written
    assert "import failed" in written and "ValueError" in written
