"""A reader that stops reading, as ``clinfile verify | head -1`` does, is not a problem."""

from __future__ import annotations

import os
import subprocess

from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.integration.importing import command


def test_verify_into_a_closed_pipe_ends_quietly_and_logs_nothing(vault_path, tmp_path):
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before the first line is written
    state = tmp_path / "state"
    try:
        done = subprocess.run(
            [*command(), "verify", str(vault_path), "--user", ADMIN, "--password-stdin"],
            input=f"{ADMIN_PASSWORD}\n".encode(), stdout=writer, stderr=subprocess.PIPE,
            env={**os.environ, "XDG_STATE_HOME": str(state)}, timeout=120, check=False)
    finally:
        os.close(writer)

    assert done.stderr.decode() == ""
    assert done.returncode == 141  # what a shell shows for a tool stopped by its closed pipe
    logged = "".join(p.read_text() for p in state.rglob("*") if p.is_file())
    assert "BrokenPipeError" not in logged and "unexpected" not in logged
