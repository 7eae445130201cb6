"""Opening a patient's record of 500 pictures in a vault of 20,000, in the real record page.

Targets: the first screenful of thumbnails in under 300 ms, all 500 in under
1 s, and the GUI thread never held up for more than 100 ms meanwhile; and
the memory the open record holds.

The vault is built through the db layer, not the import pipeline (which
would take an hour for 20,000 pictures): index rows for 20,000 filed
pictures over 4,000 patients, each filing with its audit row (HMAC-chained,
as filing writes it), and real thumbnails made by the import's own
``app.ingest.derivatives.thumbnail`` from invented photographs. The
patient's 500 thumbnails are 500 blobs of their own in the year's shard,
read and decrypted for real; the other 19,500 pictures share one blob,
which the record never reads. The page is the real ``RecordView`` and
``RecordController`` on the real task pools, offscreen, in a process of
its own; the figures are the median of five openings, after one opening
to warm up. The baselines, in the same run: reading the same 500
thumbnails' bytes alone, on one thread; and the GUI thread's longest gap
with nothing to do for as long as the openings took, which is what the
machine's load alone costs.

Then, with the record open, another process on the same vault corrects one
of its pictures, as another workstation would: how
long the open record takes to show it unasked (it looks every two
seconds), the GUI thread's longest gap meanwhile, and what one look costs.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PASSWORD = "benchmark password"
VAULT_PICTURES = 20_000
PATIENT_PICTURES = 500
DISTINCT_PHOTOS = 40
OPENINGS = 5
CHANGES = 3
# Another workstation correcting a picture's description: vault, image, patient, number.
CORRECT_ELSEWHERE = f"""
import sys
from clinfile.app.filing.service import FilingService
from clinfile.app.security.session import Session
root, image_id, patient_id, n = sys.argv[1:]
session = Session.login(root, "doctor", {PASSWORD!r})
FilingService(session).correct_description(int(image_id), f"wound, looked at again {{n}}",
                                           "described wrongly", filed_to=int(patient_id))
session.lock()
"""
START = datetime(2024, 1, 1, tzinfo=UTC)


def run() -> list[str]:
    """Build the vault, then measure in a process of its own (Qt offscreen)."""
    done = subprocess.run([sys.executable, __file__, "measure"], capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=False)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        return lines + [f"record bench FAILED: {done.stderr.strip().splitlines()[-1:]}"]
    return lines


def measure() -> None:
    """Build the vault and print the report lines."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp) / "vault"
        started = time.perf_counter()
        patient_id = build(root)
        print(f"vault of {VAULT_PICTURES:,} filed pictures built through the db layer in "
              f"{time.perf_counter() - started:.1f} s; the patient has {PATIENT_PICTURES}")
        for line in open_record(root, patient_id):
            print(line, flush=True)


def build(root: Path) -> int:
    """Make the vault; return the id of the patient with 500 pictures."""
    from clinfile.app.security.session import Session
    from clinfile.app.security.users import UserService
    from clinfile.app.vault.vault import Vault
    from clinfile.db.connection import transaction

    Vault.create(root, "bench", PASSWORD).vault.lock()
    admin = Session.login(root, "bench", PASSWORD)
    UserService(admin).add("doctor", "clinician", PASSWORD, "Dr Bench")
    admin.lock()
    session = Session.login(root, "doctor", PASSWORD)
    vault = session.vault
    thumbnails = _thumbnails()
    when = START
    blob_ids = [vault.blobs.new_id(when) for _ in range(PATIENT_PICTURES + 1)]
    vault.blobs.put_many([(blob_id, [thumbnails[n % len(thumbnails)]])
                          for n, blob_id in enumerate(blob_ids)], when=when)
    shared = blob_ids[-1]
    with vault.index() as conn, transaction(conn):
        patients = [_add_patient(conn, n) for n in range(VAULT_PICTURES // 5)]
        ours = patients[0]
        last = None
        for n in range(VAULT_PICTURES):
            mine = n % (VAULT_PICTURES // PATIENT_PICTURES) == 0
            patient = ours if mine else patients[1 + n % (len(patients) - 1)]
            thumb = blob_ids[n // (VAULT_PICTURES // PATIENT_PICTURES)] if mine else shared
            at = (START + timedelta(minutes=40 * n)).isoformat(timespec="seconds")
            last = _file(vault, conn, n, patient, thumb, shared, at)
    vault.audit.publish_head(last)
    session.lock()
    return ours


def open_record(root: Path, patient_id: int) -> list[str]:
    """Open the record in the real page, several times; return the report lines."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from clinfile.app.desk.opening import desk_for
    from clinfile.app.record.service import RecordService
    from clinfile.app.security.session import Session
    from clinfile.ui.application import prepare
    from clinfile.ui.record.record_controller import RecordController
    from clinfile.ui.record.record_view import RecordView
    from clinfile.ui.tasks import Tasks

    app = QApplication([])
    prepare(app)
    session = Session.login(root, "doctor", PASSWORD)
    tasks = Tasks()
    view = RecordView()
    view.resize(1280, 800)
    view.show()
    controller = RecordController(tasks, view, lambda _words: None)
    controller.open(desk_for(session))

    baseline = _baseline(session, patient_id, RecordService)
    rss_before = _rss()
    runs = []
    for _opening in range(OPENINGS + 1):
        runs.append(_one_opening(app, controller, view, patient_id, QElapsedTimer, QTimer))
        controller.record = None
        view.timeline.clear()
    rss_open = _rss()
    pixels = _held_pixels(controller, view, patient_id, app)
    rss_held = _rss()
    looks = _looks(session, patient_id, RecordService)
    followed = [_one_change_elsewhere(app, controller, root, patient_id, n, QElapsedTimer,
                                      QTimer) for n in range(CHANGES)]
    tasks.wait_for_all()
    session.lock()
    measured = runs[1:]
    idle = _idle_gap(app, QElapsedTimer, QTimer, seconds=sum(r[1] for r in runs) / 1000)
    first = statistics.median(r[0] for r in measured)
    every = statistics.median(r[1] for r in measured)
    gap = max(r[2] for r in measured)
    facts = statistics.median(r[3] for r in measured)
    return [
        f"record facts of {PATIENT_PICTURES} pictures on the timeline: {facts:.0f} ms",
        f"first screenful of thumbnails: {first:.0f} ms (target < 300 ms)"
        f" {'meets' if first < 300 else 'MISSES'}",
        f"all {PATIENT_PICTURES} thumbnails: {every:.0f} ms (target < 1000 ms)"
        f" {'meets' if every < 1000 else 'MISSES'}; {every / baseline:.1f}x the time to read"
        f" their bytes alone on one thread ({baseline:.0f} ms)",
        f"GUI thread's longest gap while opening ({OPENINGS + 1} openings): {gap:.0f} ms"
        f" (target < 100 ms) {'meets' if gap < 100 else 'MISSES'}; the first opening alone:"
        f" {runs[0][2]:.0f} ms; the same meter's longest gap with nothing to do, for as"
        f" long: {idle:.0f} ms",
        f"machine load while measuring (1-minute load average, {os.cpu_count()} cores):"
        f" {os.getloadavg()[0]:.1f}",
        f"memory held by the open record: {pixels / 1e6:.1f} MB of thumbnail pixels;"
        f" process grew {(rss_held - rss_before) / 1e6:.1f} MB over {OPENINGS + 2} openings"
        f" ({(rss_open - rss_before) / 1e6:.1f} MB after the first {OPENINGS + 1})",
        f"a picture corrected by another session, shown in the open record unasked after"
        f" {', '.join(f'{shown:.0f}' for shown, _gap in followed)} ms (looks every 2 s);"
        f" GUI thread's longest gap meanwhile: {max(gap for _shown, gap in followed):.0f} ms"
        f" (target < 100 ms) {'meets' if max(g for _s, g in followed) < 100 else 'MISSES'};"
        f" one look whether it changed: {looks:.1f} ms (median of 20, in a worker)",
    ]


def _one_opening(app, controller, view, patient_id, elapsed_type, timer_type):
    """Open the record once; return (first screenful ms, all ms, longest gap ms, facts ms)."""
    clock = elapsed_type()
    ticks = elapsed_type()
    marks: dict[str, float] = {}
    gaps = [0.0]

    def tick() -> None:
        gaps.append(ticks.restart())

    def shown(_record) -> None:
        marks["facts"] = clock.nsecsElapsed() / 1e6
        marks["visible"] = _visible_ids(view)

    def changed(*_args) -> None:
        visible = marks.get("visible")
        if visible and "first" not in marks and all(
                view.timeline.thumbnail_shown(i) for i in visible):
            marks["first"] = clock.nsecsElapsed() / 1e6

    def finished(_count) -> None:
        marks["all"] = clock.nsecsElapsed() / 1e6

    meter = timer_type()
    meter.setInterval(10)
    meter.timeout.connect(tick)
    controller.record_shown.connect(shown)
    controller.thumbnails_shown.connect(finished)
    view.timeline.model_.dataChanged.connect(changed)
    ticks.start()
    meter.start()
    clock.start()
    controller.open_patient(patient_id)
    deadline = time.perf_counter() + 60
    while "all" not in marks and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    meter.stop()
    controller.record_shown.disconnect(shown)
    controller.thumbnails_shown.disconnect(finished)
    view.timeline.model_.dataChanged.disconnect(changed)
    return marks.get("first", marks.get("all")), marks["all"], max(gaps), marks["facts"]


def _looks(session, patient_id: int, service_type) -> float:
    """Milliseconds one look whether the record changed takes (the median of twenty)."""
    service = service_type(session)
    times = []
    for _look in range(20):
        started = time.perf_counter()
        service.written(patient_id)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _one_change_elsewhere(app, controller, root, patient_id, n, elapsed_type, timer_type):
    """Correct a picture of the open record elsewhere; return (ms until shown, longest gap ms).

    The other workstation is a process of its own on the same vault; the
    clock and the GUI thread's meter start once it has written its correction.
    """
    image_id = controller.record.pictures[n].image_id
    other = subprocess.Popen([sys.executable, "-c", CORRECT_ELSEWHERE, str(root),
                              str(image_id), str(patient_id), str(n)])
    while other.poll() is None:
        app.processEvents()
        time.sleep(0.001)
    if other.returncode != 0:
        raise RuntimeError("the other workstation's correction failed")
    ticks = elapsed_type()
    gaps = [0.0]
    meter = timer_type()
    meter.setInterval(10)
    meter.timeout.connect(lambda: gaps.append(ticks.restart()))
    ticks.start()
    meter.start()
    started = time.perf_counter()

    def shown() -> bool:
        return any(p.image_id == image_id and p.description.endswith(f"again {n}")
                   for p in controller.record.pictures)

    deadline = started + 30
    while not shown() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    took = (time.perf_counter() - started) * 1000
    meter.stop()
    return took, max(gaps)


def _held_pixels(controller, view, patient_id, app) -> int:
    """Open the record once more and count the bytes of the thumbnails it holds."""
    done = []
    controller.thumbnails_shown.connect(done.append)
    controller.open_patient(patient_id)
    deadline = time.perf_counter() + 60
    while not done and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    controller.thumbnails_shown.disconnect(done.append)
    timeline = view.timeline
    return sum(timeline.model_.thumbnail(i).sizeInBytes() for i in timeline.picture_ids())


def _visible_ids(view) -> list[int]:
    """The pictures whose rows are on screen when the record opens (the first few, in order).

    It stops at the first row below the screen: measuring all five hundred
    rows here would itself hold up the GUI thread being measured.
    """
    timeline = view.timeline
    area = timeline.viewport().rect()
    visible = []
    for image_id in timeline.picture_ids():
        rect = timeline.visualRect(timeline.model_.index_of(image_id))
        if rect.top() > area.bottom():
            break
        if rect.intersects(area):
            visible.append(image_id)
    return visible


def _idle_gap(app, elapsed_type, timer_type, seconds: float) -> float:
    """The longest gap of the same 10 ms meter with nothing to do: what the machine allows."""
    ticks = elapsed_type()
    gaps = [0.0]
    meter = timer_type()
    meter.setInterval(10)
    meter.timeout.connect(lambda: gaps.append(ticks.restart()))
    ticks.start()
    meter.start()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    meter.stop()
    return max(gaps)


def _baseline(session, patient_id: int, service_type) -> float:
    """Milliseconds to read the 500 thumbnails' bytes alone, on this thread."""
    service = service_type(session)
    ids = [p.image_id for p in service.record(patient_id).pictures]
    started = time.perf_counter()
    for _pair in service.thumbnails(ids):
        pass
    return (time.perf_counter() - started) * 1000


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _thumbnails() -> list[bytes]:
    """Thumbnails made as the import makes them, from invented clinical-looking photographs."""
    from PIL import Image

    from clinfile.app.ingest.derivatives import thumbnail
    from tests.demo.pictures import DemoPicture, write_demo_picture

    made = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(DISTINCT_PHOTOS):
            picture = DemoPicture(f"photo {n}.jpg", ("ulcer", "mole", "rash", "bruise")[n % 4],
                                  ("Canon", "PowerShot G7 X"), n)
            path = write_demo_picture(picture, Path(tmp), now=START.replace(tzinfo=None),
                                      seed=n)
            with Image.open(io.BytesIO(path.read_bytes())) as image:
                made.append(thumbnail(image.convert("RGB")))
    return made


def _add_patient(conn, n: int) -> int:
    born = f"{1940 + n % 80}-{1 + n % 12:02d}-{1 + n % 28:02d}"
    return int(conn.execute(
        "INSERT INTO patients (record_number, family_name, given_names, birth_date, "
        "created_at, updated_at) VALUES (?, ?, 'Sam', ?, '2024-01-01', '2024-01-01')",
        (f"B{n:06d}", f"Family{n}", born)).lastrowid)


def _file(vault, conn, n: int, patient: int, thumb: str, shared: str, at: str):
    """One picture taken in and filed, with the audit row filing writes."""
    from clinfile.app.custody.audit import AuditEntry

    image_id = int(conn.execute(
        "INSERT INTO images (sha256, original_blob, derivative_blob, thumbnail_blob, size, "
        "format, source_kind, source_path, received_at, received_by, captured_at, "
        "camera_make, camera_model, width, height, status) VALUES (?, ?, ?, ?, 1, 'JPEG', "
        "'device', ?, ?, 'doctor', ?, 'Canon', 'PowerShot G7 X', 1200, 900, 'filed')",
        (f"{n:064x}", shared, shared, thumb, f"IMG_{n:05d}.jpg", at, at)).lastrowid)
    episode = conn.execute("INSERT INTO episodes (description, created_by, created_at) "
                           "VALUES (?, 'doctor', ?)", (f"wound {n % 7}", at)).lastrowid
    site = ("left-ankle", "right-knee", "face", "upper-back")[n % 4]
    side = "" if site in ("face", "upper-back") else site.split("-")[0]
    conn.execute(
        "INSERT INTO filed_images (image_id, patient_id, episode_id, kind, body_site, "
        "laterality, description, taken_by, taken_at, consent_basis, filed_by, filed_at) "
        "VALUES (?, ?, ?, 'patient-sent', ?, ?, ?, 'the patient', ?, 'implied', 'doctor', ?)",
        (image_id, patient, episode, site.removeprefix(f"{side}-") if side else site, side,
         f"wound {n % 7}", at, at))
    return vault.audit.append(conn, AuditEntry("doctor", "image.filed", f"image {image_id}", {
        "patient_id": patient, "episode_id": episode, "kind": "patient-sent"}))


if __name__ == "__main__":
    # Run as a script in a process of its own: the repository root holds tests.demo.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    if sys.argv[1:] == ["measure"]:
        measure()
    else:
        print("\n".join(run()))
