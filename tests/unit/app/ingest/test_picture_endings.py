"""Where each format's structure says the picture ends, on real files whole and cut."""

import io
from pathlib import Path

import pytest
from PIL import Image

from clinfile.app.ingest import refusal
from clinfile.app.ingest.refusal import Refused
from clinfile.app.ingest.safety.complete import _ENDINGS
from clinfile.app.ingest.safety.ending import Cut
from clinfile.app.ingest.safety.trailing import judge_trailing
from clinfile.app.ingest.sniff import sniff
from tests.conftest import CORPUS
from tests.unit.app.ingest.hostile_files import (
    claiming_10000_square,
    jpeg_bytes,
    png_bytes,
    with_zip_appended,
)

PICTURES = sorted(p for p in CORPUS.rglob("*") if p.is_file()
                  and p.suffix.lower() in {".jpg", ".jpeg", ".heic", ".heif", ".tiff"})


def ending(data: bytes):
    return _ENDINGS[sniff(data[:64]).pillow_format](data)


def made(kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((90, 70), 50).convert("RGB").save(buffer, kind, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.name)
def test_every_corpus_picture_is_whole_and_every_cut_is_seen(path: Path):
    data = path.read_bytes()
    whole = ending(data)
    if whole.end is None:
        return  # corrupted.jpg: too broken to walk; its full decode judges it
    assert whole.end <= len(data) and not whole.damaged
    for cut_at in range(len(data) // 97, len(data), len(data) // 17 + 1):
        with pytest.raises(Cut):
            ending(data[:cut_at])


@pytest.mark.parametrize("kind", ["PNG", "GIF", "WEBP", "BMP", "TIFF", "JPEG"])
def test_pictures_pillow_writes_end_where_the_file_ends_and_are_cut_short_without(kind):
    data = made(kind)
    assert ending(data).end == len(data)
    for cut_at in (len(data) // 3, len(data) // 2, len(data) - 1):
        with pytest.raises(Cut):
            ending(data[:cut_at])


def test_a_jpeg_ending_at_its_primary_picture_while_its_mpf_index_lists_more_is_cut():
    buffer = io.BytesIO()
    frames = [Image.effect_noise((60, 40), 30).convert("RGB") for _ in range(2)]
    frames[0].save(buffer, "MPO", save_all=True, append_images=frames[1:])
    data = buffer.getvalue()
    assert ending(data).end == len(data)
    primary_end = data.find(b"\xff\xd9", data.find(b"\xff\xda")) + 2
    with pytest.raises(Cut):
        ending(data[:primary_end])


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_tiny_file_claiming_10000_by_10000_is_damaged(kind):
    data = claiming_10000_square(kind)
    assert len(data) < 1000
    assert ending(data).damaged == refusal.too_little_data(10_000, 10_000)


@pytest.mark.parametrize("picture", [jpeg_bytes(), png_bytes()], ids=["JPEG", "PNG"])
def test_a_zip_after_the_picture_is_refused(picture):
    data = with_zip_appended(picture)
    end = ending(data).end
    assert end == len(picture)
    with pytest.raises(Refused) as refused:
        judge_trailing(data, end, sniff(data[:64]).pillow_format)
    assert refused.value.reason == refusal.hidden_after_end("a ZIP archive")


def test_phone_trailers_and_stray_bytes_after_a_jpeg_are_accepted(corpus):
    picture = jpeg_bytes()
    directory = b"SEFH" + b"\x6b\x00\x00\x00" + b"\x01\x00\x00\x00" + b"\x00" * 12
    samsung = b"Image_UTC_Data1700000000000" + directory + len(directory).to_bytes(4, "little")
    video = (corpus / "exif-samples" / "heic" / "IMG_5195.HEIC").read_bytes()
    video = video[:8] + b"isom" + video[12:]
    for tail in (samsung + b"SEFT", video, b"\x14", b"\x00" * 4096):
        judge_trailing(picture + tail, len(picture), "JPEG")


def test_a_motion_video_still_being_written_after_a_jpeg_is_cut():
    picture = jpeg_bytes()
    video = (CORPUS / "exif-samples" / "heic" / "IMG_5195.HEIC").read_bytes()
    with pytest.raises(Cut):
        judge_trailing(picture + video[: len(video) // 2], len(picture), "JPEG")


def test_a_heic_whose_boxes_add_up_but_whose_items_lie_beyond_its_end_is_cut():
    from clinfile.app.ingest.safety.isobmff import boxes, iso_ending

    data = (CORPUS / "exif-samples" / "heic" / "IMG_5195.HEIC").read_bytes()
    meta = next(box for box in boxes(data, 0, len(data)) if box.kind == b"meta")
    with pytest.raises(Cut):
        iso_ending(data[:meta.end])
    mdat_at = meta.end
    to_the_end = data[:mdat_at] + b"\x00\x00\x00\x00" + data[mdat_at + 4:]
    assert iso_ending(to_the_end).end == len(data)
    with pytest.raises(Cut):
        iso_ending(to_the_end[: len(data) - 1000])


HEIFS = [p for p in PICTURES if p.suffix.lower() in {".heic", ".heif"}]


@pytest.mark.parametrize("path", HEIFS, ids=lambda p: p.name)
def test_a_heif_cut_at_any_box_boundary_is_cut_and_never_proved_whole(path: Path, tmp_path):
    from clinfile.app.ingest.safety.complete import proves_whole
    from clinfile.app.ingest.safety.isobmff import boxes

    data = path.read_bytes()
    target = tmp_path / f"arriving{path.suffix}"
    for box in boxes(data, 0, len(data)):
        if box.end == len(data):
            break
        target.write_bytes(data[:box.end])
        with pytest.raises(Cut):
            ending(data[:box.end])
        assert not proves_whole(tmp_path, target, 200 << 20)
    target.write_bytes(data)
    assert proves_whole(tmp_path, target, 200 << 20)
