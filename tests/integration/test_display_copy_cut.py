"""A camera JPEG is kept once: its clean display copy is cut from the original when read.

Real corpus pictures go through the real import. The display copy must be
the very bytes the lossless clean-up makes, hold no metadata, cost next to
nothing on disk, and be checked by its own SHA-256 like any stored copy.
"""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from clinfile.app.ingest.derivatives import strip_jpeg
from clinfile.app.ingest.service import ImportService
from clinfile.app.vault.verify import verify_vault
from clinfile.db.image_census import held_images
from tests.conftest import CORPUS
from tests.integration.importing import copy_pictures

CAMERA = CORPUS / "exif-samples" / "jpg"
PHONE_JPEG = CAMERA / "mobile" / "HMD_Nokia_8.3_5G.jpg"
TURNED_JPEG = sorted((CAMERA / "orientation").glob("*_6.jpg"))


def _import(login, folder):
    session = login("reception")
    list(ImportService(session).import_paths([folder], keep_source=True))
    with session.vault.index() as conn:
        return session, list(held_images(conn))


def _shards_size(vault) -> int:
    return sum(p.stat().st_size for p in vault.blobs.shard_paths())


@pytest.fixture
def phone_picture(corpus, tmp_path):
    copies = copy_pictures([PHONE_JPEG], tmp_path / "phone")
    return next(iter(copies)), tmp_path / "phone"


def test_the_display_copy_is_cut_from_the_original_and_costs_no_second_copy(
        login, phone_picture):
    source, folder = phone_picture
    session, (image,) = _import(login, folder)
    store = session.vault.blobs
    original = source.read_bytes()

    display = store.read_bytes(image.blobs()["display copy"])
    assert display == strip_jpeg(original)
    assert Image.open(io.BytesIO(display)).getexif() == {}
    assert store.verify(image.blobs()["display copy"]).size == len(display)
    assert _shards_size(session.vault) < 1.3 * len(original)  # stored again: 1.9x and more
    assert verify_vault(login().vault).problems == []


def test_a_damaged_original_is_found_by_verification(login, phone_picture):
    _source, folder = phone_picture
    session, (image,) = _import(login, folder)
    shard = session.vault.blobs.shard_path_of(image.blobs()["display copy"])
    data = bytearray(shard.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 16] = os.urandom(16)
    shard.write_bytes(bytes(data))

    assert any(shard.name in problem for problem in verify_vault(login().vault).problems)


def test_a_picture_that_must_be_turned_upright_keeps_its_own_display_copy(
        login, corpus, tmp_path):
    copies = copy_pictures(TURNED_JPEG[:1], tmp_path / "turned")
    source = next(iter(copies))
    session, (image,) = _import(login, tmp_path / "turned")
    display = session.vault.blobs.read_bytes(image.blobs()["display copy"])
    assert display != strip_jpeg(source.read_bytes())
    assert Image.open(io.BytesIO(display)).getexif() == {}
    assert verify_vault(login().vault).problems == []
