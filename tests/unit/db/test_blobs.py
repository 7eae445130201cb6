import hashlib
import io
import os
from datetime import UTC, datetime

import pytest

from clinfile.db.blobs import CHUNK_SIZE, BlobCorrupted, BlobNotFound, BlobStore
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
    assert [p.name for p in store.shard_paths()] == ["2019.db", "2026.db"]
    assert store.read_bytes(old.id) == b"2019 photo"
    assert store.read_bytes(new.id) == b"2026 photo"


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
