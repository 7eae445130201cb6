"""Time to produce a 20-image record-attachment summary from 12-megapixel photos.

Target: at most 3 s for the whole PDF, with peak memory reported. The
baseline, measured in the same run, is decoding the twenty photos once at
full size, the least a summary that did not use the JPEG decoder's own
downscaling would do. The photos are corpus pictures upscaled to 4000x3000
and held in memory as JPEGs, as the vault hands them over.
"""

from __future__ import annotations

import io
import resource
import statistics
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image

from clinfile.app.reports.model import PatientHeader, Provenance, SummaryData, SummaryImage
from clinfile.app.reports.summary import render_summary

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "exif-samples" / "jpg"
SOURCES = ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "hdr/iphone_hdr_YES.jpg", "Canon_40D.jpg",
           "gps/DSCN0029.jpg"]
IMAGES = 20
SIZE = (4000, 3000)
RUNS = 3
TARGET_S = 3.0


def run() -> list[str]:
    """Measure and return the report lines."""
    photos = _twelve_megapixel_photos()
    data = _summary(photos)
    render_mb = _resident_growth_mb(lambda: render_summary(data))
    decode_mb = _resident_growth_mb(lambda: _decode_all(photos))
    decode_s = min(_timed(lambda: _decode_all(photos)) for _ in range(RUNS))
    render_times = [_timed(lambda: render_summary(data)) for _ in range(RUNS)]
    pdf = render_summary(data)
    peak_python = _traced_peak(lambda: render_summary(data))
    best = min(render_times)
    verdict = "meets" if best <= TARGET_S else "MISSES"
    return [
        f"{IMAGES} photos of {SIZE[0]}x{SIZE[1]} ({sum(len(p) for p in photos) / 1e6:.0f} MB"
        f" of JPEG) -> summary PDF of {len(pdf) / 1e6:.1f} MB",
        f"summary PDF: best {best:.2f} s, median {statistics.median(render_times):.2f} s"
        f" over {RUNS} runs ({verdict} the target of <= {TARGET_S:.0f} s)",
        f"baseline, decoding the {IMAGES} photos once: {decode_s:.2f} s;"
        f" summary / baseline = {best / decode_s:.2f}x",
        f"peak memory while rendering: {_growth(render_mb)} above what was resident before"
        f" (baseline decode: {_growth(decode_mb)}); Python heap peak {peak_python / 1e6:.0f} MB"
        " (tracemalloc)",
    ]


def _twelve_megapixel_photos() -> list[bytes]:
    photos = []
    for index in range(IMAGES):
        with Image.open(CORPUS / SOURCES[index % len(SOURCES)]) as source:
            large = source.convert("RGB").resize(SIZE, Image.Resampling.BICUBIC)
        out = io.BytesIO()
        large.save(out, "JPEG", quality=90)
        photos.append(out.getvalue())
    return photos


def _summary(photos: list[bytes]) -> SummaryData:
    filed = datetime(2026, 3, 12, 10, 52, tzinfo=UTC)
    images = tuple(
        SummaryImage(
            jpeg=photo, kind="clinical photo", body_site="left lower leg, anterior",
            description=f"Venous ulcer, review {index + 1}", captured_at=filed,
            secondary=index % 7 == 3, consent_basis="the patient's verbal consent of 12/03/2026",
            consent_limits="clinical care only: the treating team",
            provenance=Provenance("clinician's phone (USB)", "reception", filed, "dr.lee", filed,
                                  f"{index:064x}"))
        for index, photo in enumerate(photos))
    return SummaryData(PatientHeader("Citizen", "Jane", date(1961, 4, 2), "BENCH-1"), images,
                       "reception", date(2026, 3, 14), "Benchmark Practice", "Leg ulcer review")


def _decode_all(photos: list[bytes]) -> None:
    for photo in photos:
        with Image.open(io.BytesIO(photo)) as image:
            image.load()


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _traced_peak(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _resident_growth_mb(work) -> float | None:
    """How far the process's peak resident memory rose above its resident size while working.

    Pillow's pixel buffers are not Python objects, so tracemalloc misses
    them; Linux's peak-resident counter (VmHWM) sees them and can be reset
    (``clear_refs`` 5). None where that is not available.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kb("VmRSS")
        work()
        return (_status_kb("VmHWM") - before) / 1024
    except OSError:
        return None


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise OSError(f"no {field} in /proc/self/status")


def _growth(megabytes: float | None) -> str:
    if megabytes is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return f"n/a (process peak {peak:.0f} MB)"
    return f"+{megabytes:.0f} MB"


if __name__ == "__main__":
    for line in run():
        print(line)  # noqa: T201 - a benchmark's report is its output
