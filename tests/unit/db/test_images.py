import pytest

from clinfile.db.connection import DatabaseError, transaction
from clinfile.db.images import ImageRepository, ImportJournalRepository, JournalOwner, NewImage
from clinfile.db.quarantine import QuarantineRepository


def _image(sha: str) -> NewImage:
    return NewImage(sha, "2026-" + "a" * 32, "2026-" + "b" * 32, "2026-" + "c" * 32, 10, "JPEG",
                    "manual", "/in/a.jpg", "2026-01-01T00:00:00", "desk", None, "Make", None,
                    40, 30, 6, True, ("GPS location", "maker notes"))


def test_images_round_trip_and_make_the_inbox(login):
    vault = login("reception").vault
    with vault.index() as conn:
        with transaction(conn):
            row = ImageRepository(conn).add(_image("1" * 64))
        repo = ImageRepository(conn)
        assert repo.by_sha256("1" * 64) == row
        assert row.status == "unfiled" and row.had_gps is True
        assert row.identifying_tags == ("GPS location", "maker notes")
        assert repo.unfiled() == [row] and repo.count() == 1


def test_the_same_bytes_cannot_be_stored_twice(login):
    vault = login("reception").vault
    with vault.index() as conn:
        ImageRepository(conn).add(_image("2" * 64))
        with pytest.raises(DatabaseError):
            ImageRepository(conn).add(_image("2" * 64))


def test_quarantine_records_are_replaced_not_duplicated(login):
    vault = login("reception").vault
    with vault.index() as conn:
        repo = QuarantineRepository(conn)
        repo.put("/in/x.jpg", "first", 1, 2, "t1")
        second = repo.put("/in/x.jpg", "second", 3, 4, "t2")
        assert repo.all() == [second] and second.reason == "second"
        repo.remove("/in/x.jpg")
        assert repo.by_path("/in/x.jpg") is None


def test_the_journal_moves_through_its_stages(login):
    vault = login("reception").vault
    with vault.index() as conn:
        journal = ImportJournalRepository(conn)
        owner, heir = JournalOwner(10, 1.5, "desk"), JournalOwner(20, 2.5, "desk")
        entry = journal.begin("3" * 64, "manual", "/in/a.jpg", ("a", "b", "c"), "t", owner)
        assert entry.stage == "storing" and entry.owner == owner
        assert journal.by_sha256("3" * 64) == [entry] and journal.by_sha256("4" * 64) == []
        journal.set_deleting_source(entry.id)
        journal.hand_over(entry.id, heir)
        assert journal.all()[0].stage == "deleting_source" and journal.all()[0].owner == heir
        journal.finish(entry.id)
        assert journal.all() == []
