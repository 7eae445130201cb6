"""Telling what a file really is from its first bytes, never from its name.

A TIFF named .jpg opens as TIFF unless Pillow is told which format to use,
so the sniffed format is passed to ``Image.open(..., formats=[...])``.
"""

from __future__ import annotations

from dataclasses import dataclass

SNIFF_BYTES = 64

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
                b"mif1", b"msf1", b"heif"}
_VIDEO_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"qt  ", b"M4V ", b"3gp4", b"3gp5",
                 b"3g2a", b"avc1", b"dash"}


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes say.

    Attributes:
        pillow_format: the Pillow format name to open it with, or None when it
            is not a picture we take in.
        looks_like: for anything else, what it appears to be, in plain words
            ("a PDF"); None when unrecognisable.
        unsupported_picture: the name of a picture format we recognise but do
            not accept (AVIF, Photoshop), else None.
    """

    pillow_format: str | None
    looks_like: str | None = None
    unsupported_picture: str | None = None


def sniff(head: bytes) -> Sniffed:
    """Classify a file by its leading bytes (at least :data:`SNIFF_BYTES` when available)."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("PNG")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("GIF")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Sniffed("TIFF")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("WEBP")
    if head.startswith(b"BM") and len(head) >= 26 and head[6:10] == b"\x00\x00\x00\x00":
        return Sniffed("BMP")
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    return Sniffed(None, looks_like=looks_like(head))


def _iso_media(head: bytes) -> Sniffed:
    """Sort ISO base media files (HEIF, AVIF, MP4, MOV) by their brands."""
    size = int.from_bytes(head[0:4], "big")
    box = head[8:max(16, min(size, len(head)))]
    brands = {box[0:4]} | {box[i:i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & {b"avif", b"avis"}:
        return Sniffed(None, unsupported_picture="AVIF")
    if brands & _HEIF_BRANDS:
        return Sniffed("HEIF")
    if brands & _VIDEO_BRANDS:
        return Sniffed(None, looks_like="a video")
    return Sniffed(None)


_OTHER_KINDS = (
    (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document"),
    (b"{\\rtf", "a Word (RTF) document"),
    (b"8BPS", "a Photoshop file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"ID3", "a sound recording"),
    (b"OggS", "a sound or video recording"),
    (b"\x1aE\xdf\xa3", "a video"),
    (b"MZ", "a program"),
    (b"\x7fELF", "a program"),
)


def looks_like(head: bytes) -> str | None:
    """Say in plain words what a file that is not a picture appears to be, if anything."""
    for magic, kind in _OTHER_KINDS:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "a video"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "a sound recording"
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "a web page"
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<svg"):
        return "an XML or SVG drawing" if b"svg" in stripped else "an XML document"
    if _is_text(head):
        return "text"
    return None


def _is_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the sample.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
