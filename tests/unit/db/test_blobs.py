import hashlib
import io
import os
from datetime import UTC, datetime

import pytest

from clinfile.db import blobs
from clinfile.db.blobs import CHUNK_SIZE, BlobCorrupted, BlobNotFound, BlobStore, DerivedBlob
from clinfile.db.connection import BLOB_PROFILE, open_encrypted


@pytest.fixture
def store(tmp_path):
    return BlobStore(tmp_path / "blobs", os.urandom(32))


def test_put_and_read_back_in_chunks(store):
    data = os.urandom(3 * CHUNK_SIZE + 123)
    stored = store.put_file(io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    chunks = list(store.read(stored.id))
    assert len(chunks) == 4
    assert all(len(c) <= CHUNK_SIZE for c in chunks)
    assert b"".join(chunks) == data
    assert store.verify(stored.id, stored.sha256) == stored


def test_shards_by_year(store, tmp_path):
    old = store.put_bytes(b"2019 photo", when=datetime(2019, 5, 1, tzinfo=UTC))
    new = store.put_bytes(b"2026 photo", when=datetime(2026, 5, 1, tzinfo=UTC))
    assert [p.name for p in store.shard_paths()] == ["2019-0001.db", "2026-0001.db"]
    assert store.read_bytes(old.id) == b"2019 photo"
    assert store.read_bytes(new.id) == b"2026 photo"


def test_a_shard_past_its_size_is_closed_and_the_next_one_opened(store, monkeypatch):
    monkeypatch.setattr(blobs, "SHARD_CLOSES_AT", 3 * CHUNK_SIZE)
    when = datetime(2026, 5, 1, tzinfo=UTC)
    first = store.put_bytes(os.urandom(4 * CHUNK_SIZE), when=when)
    closed = store.shard_path_of(first.id)
    sealed = closed.read_bytes()
    later = [store.put_bytes(os.urandom(CHUNK_SIZE), when=when) for _ in range(5)]

    assert closed.read_bytes() == sealed
    assert [p.name for p in store.shard_paths()] == ["2026-0001.db", "2026-0002.db",
                                                     "2026-0003.db"]
    assert all(store.verify(b.id) for b in [first, *later])


def test_blobs_chosen_together_share_a_shard_even_when_it_closes_between(store, monkeypatch):
    monkeypatch.setattr(blobs, "SHARD_CLOSES_AT", CHUNK_SIZE)
    when = datetime(2026, 5, 1, tzinfo=UTC)
    ids = store.new_ids(3, when)
    store.put_bytes(os.urandom(2 * CHUNK_SIZE), when=when)
    stored = store.put_many([(blob_id, [b"part"]) for blob_id in ids], when=when)
    assert {store.shard_path_of(b.id) for b in stored} == {store.shard_paths()[0]}


def test_a_vault_from_before_numbered_shards_reads_and_writes_as_before(tmp_path):
    key = os.urandom(32)
    old = BlobStore(tmp_path / "blobs", key)
    legacy_id = "2025-" + "a" * 32
    old.put_bytes(b"a picture of 2025", blob_id=legacy_id)
    assert [p.name for p in old.shard_paths()] == ["2025.db"]

    after_change = BlobStore(tmp_path / "blobs", os.urandom(32), epoch=2, older_keys=[key])
    new = after_change.put_bytes(b"a picture of 2025, later", when=datetime(2025, 9, 1, tzinfo=UTC))

    assert after_change.read_bytes(legacy_id) == b"a picture of 2025"
    assert dict(after_change.read_small_many([legacy_id, new.id])) == {
        legacy_id: b"a picture of 2025", new.id: b"a picture of 2025, later"}
    assert after_change.key_epoch(tmp_path / "blobs" / "2025.db") == 1
    assert after_change.key_epoch(after_change.shard_path_of(new.id)) == 2
    assert after_change.shard_path_of(new.id).name == "2025-0001k2.db"


def test_delete_removes_the_bytes(store):
    marker = b"UNIQUE-DELETED-MARKER" * 100
    stored = store.put_bytes(marker)
    store.delete(stored.id)
    with pytest.raises(BlobNotFound):
        store.read_bytes(stored.id)
    with pytest.raises(BlobNotFound):
        store.delete(stored.id)


def test_verify_refuses_a_wrong_expected_hash(store):
    stored = store.put_bytes(b"abc")
    with pytest.raises(BlobCorrupted):
        store.verify(stored.id, "0" * 64)


def test_unknown_ids_are_not_found(store):
    for bad in ["nonsense", "2026-" + "0" * 32, "../../etc/passwd"]:
        with pytest.raises(BlobNotFound):
            store.read_bytes(bad)


def test_a_flipped_byte_in_a_shard_is_found(store):
    stored = store.put_bytes(os.urandom(2 * CHUNK_SIZE))
    shard = store.shard_paths()[0]
    assert store.check_shard(shard) == []
    raw = bytearray(shard.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    shard.write_bytes(bytes(raw))
    assert store.check_shard(shard)
    assert stored.id


def test_pieces_of_any_size_are_regrouped_without_loss(store):
    data = os.urandom(3 * CHUNK_SIZE + 5)
    sizes = [1, CHUNK_SIZE - 1, 7, 2 * CHUNK_SIZE, 3, 0]
    pieces, start = [], 0
    for size in sizes:
        pieces.append(data[start:start + size])
        start += size
    stored = store.put(pieces)
    assert stored.size == len(data) and b"".join(store.read(stored.id)) == data
    assert [len(c) for c in store.read(stored.id)] == [CHUNK_SIZE] * 3 + [5]


def test_a_shard_file_another_writer_has_only_just_created_takes_blobs(tmp_path):
    key = os.urandom(32)
    (tmp_path / "blobs").mkdir()
    open_encrypted(tmp_path / "blobs" / "2026.db", key, BLOB_PROFILE, create=True).close()
    store = BlobStore(tmp_path / "blobs", key)
    stored = store.put_bytes(b"first photo of the year", when=datetime(2026, 1, 1, tzinfo=UTC))
    assert store.read_bytes(stored.id) == b"first photo of the year"


def test_a_derived_blob_is_cut_from_its_source_and_costs_no_bytes_of_its_own(store):
    original = os.urandom(3 * CHUNK_SIZE + 1000)
    ranges = ((0, 2), (5000, CHUNK_SIZE + 7), (2 * CHUNK_SIZE - 3, 3 * CHUNK_SIZE + 1000))
    clean = b"".join(original[a:b] for a, b in ranges)
    when = datetime(2026, 5, 1, tzinfo=UTC)
    source_id, clean_id = store.new_ids(2, when)
    store.put_many([(source_id, [original])], when=when, derived=[
        DerivedBlob(clean_id, source_id, ranges, hashlib.sha256(clean).hexdigest(), len(clean))])
    shard = store.shard_path_of(clean_id)

    assert store.read_bytes(clean_id) == clean
    assert store.verify(clean_id).size == len(clean)
    assert dict(store.read_small_many([clean_id])) == {clean_id: clean}
    assert shard.stat().st_size < 1.3 * len(original)  # the copy alone would be 1.6x more
    assert store.check_shard(shard) == []


def test_a_derived_blob_that_no_longer_cuts_to_its_hash_is_damage(store):
    when = datetime(2026, 5, 1, tzinfo=UTC)
    source_id, clean_id = store.new_ids(2, when)
    store.put_many([(source_id, [b"0123456789"])], when=when, derived=[
        DerivedBlob(clean_id, source_id, ((2, 5),), hashlib.sha256(b"999").hexdigest(), 3)])
    with pytest.raises(BlobCorrupted):
        store.verify(clean_id)
    assert store.check_shard(store.shard_path_of(clean_id)) == [
        f"{store.shard_path_of(clean_id).name}: blob {clean_id} does not match its SHA-256"]


def test_deleting_a_source_deletes_what_was_derived_from_it(store):
    when = datetime(2026, 5, 1, tzinfo=UTC)
    source_id, clean_id = store.new_ids(2, when)
    store.put_many([(source_id, [b"0123456789"])], when=when, derived=[
        DerivedBlob(clean_id, source_id, ((2, 5),), hashlib.sha256(b"234").hexdigest(), 3)])
    store.delete(source_id)
    for gone in (source_id, clean_id):
        with pytest.raises(BlobNotFound):
            store.read_bytes(gone)
    with pytest.raises(BlobNotFound):
        store.delete(clean_id)


def test_a_derived_blob_must_be_stored_with_its_source(store):
    kept = store.put_bytes(b"stored earlier")
    with pytest.raises(ValueError, match="stored with its source"):
        store.put_many([], derived=[DerivedBlob(store.new_id(), kept.id, ((0, 3),), "x", 3)])
