"""Claims on the PACS queue: one sender per row, and waiting rows before old refusals."""

from clinfile.db.connection import transaction
from clinfile.db.images import ImageRepository
from clinfile.db.pacs_queue import PacsQueueRepository
from tests.unit.db.test_images import _image

NOW, LATER = "2026-03-12T08:00:00+00:00", "2026-03-12T08:05:00+00:00"


def queued(conn, refused: int, waiting: int) -> list[int]:
    repo = PacsQueueRepository(conn)
    image = ImageRepository(conn).add(_image("7" * 64)).id
    for n in range(refused + waiting):
        repo.add(image, f"1.2.3.{n}", "clinician", NOW)
    rows = repo.waiting()
    for row in rows[:refused]:
        repo.mark_failed(row.id, "no consent", NOW, refused=True)
    return [row.id for row in rows[refused:]]


def test_waiting_rows_are_claimed_before_old_refusals_and_by_one_sender_only(login):
    with login("clinician").vault.index() as conn, transaction(conn):
        waiting = queued(conn, refused=5, waiting=2)
        repo = PacsQueueRepository(conn)
        first = repo.claim("host:1:a", NOW, LATER, limit=3)
        assert set(waiting) <= {r.id for r in first}
        second = repo.claim("host:2:b", NOW, LATER)
        assert {r.id for r in first}.isdisjoint(r.id for r in second)
        assert len(first) + len(second) == 7
        repo.release("host:1:a")
        assert {r.id for r in repo.claim("host:3:c", NOW, LATER)} == {r.id for r in first}
