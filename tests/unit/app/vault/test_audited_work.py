"""Every audited write is one unit of work: the act, its audit row, then the head."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.vault.vault import Vault
from clinfile.db.audit import AuditRepository
from clinfile.db.settings import MetaRepository
from tests.conftest import ADMIN, ADMIN_PASSWORD

PACKAGE = Path(__file__).resolve().parents[4] / "src" / "clinfile"
UNIT_OF_WORK = PACKAGE / "app" / "custody" / "audit.py"


class Broke(Exception):
    """Raised inside a unit of work to stand for any failure there."""


@pytest.fixture
def vault(vault_path: Path) -> Vault:
    unlocked, _ = Vault.unlock(vault_path, ADMIN, ADMIN_PASSWORD)
    yield unlocked
    unlocked.lock()


def _last_seq(vault: Vault) -> int:
    with vault.index() as conn:
        return AuditRepository(conn).last().seq


def test_a_unit_commits_its_write_and_row_and_moves_the_head_on(vault):
    before = _last_seq(vault)
    with vault.audited() as work:
        MetaRepository(work.conn).put("unit_of_work", "kept")
        row = work.record(AuditEntry(ADMIN, "test.unit"))
    assert row.seq == before + 1
    assert vault.audit.head().seq == row.seq
    with vault.index() as conn:
        assert MetaRepository(conn).get("unit_of_work") == "kept"
        assert vault.audit.problems(conn) == []


def test_a_failure_inside_the_unit_leaves_neither_the_row_nor_the_head(vault):
    before, head = _last_seq(vault), vault.audit.head()
    with pytest.raises(Broke), vault.audited() as work:
        MetaRepository(work.conn).put("unit_of_work", "lost")
        work.record(AuditEntry(ADMIN, "test.unit"))
        raise Broke()
    assert _last_seq(vault) == before
    assert vault.audit.head() == head
    with vault.index() as conn:
        assert MetaRepository(conn).get("unit_of_work") is None
        assert vault.audit.problems(conn) == []


def test_a_unit_on_the_callers_connection_leaves_it_open(vault):
    with vault.index() as conn:
        with vault.audited(conn) as work:
            row = work.record(AuditEntry(ADMIN, "test.unit"))
        assert AuditRepository(conn).last().seq == row.seq
    assert vault.audit.head().seq == row.seq


def _calls_publish_head(path: Path) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "publish_head"]


def test_no_code_outside_the_unit_of_work_publishes_the_head():
    outside = {str(path.relative_to(PACKAGE)): lines for path in PACKAGE.rglob("*.py")
               if path != UNIT_OF_WORK and (lines := _calls_publish_head(path))}
    assert outside == {}, "write through vault.audited(...) instead of publishing by hand"
    assert _calls_publish_head(UNIT_OF_WORK)
