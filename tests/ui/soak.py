"""A morning at reception, sped up: hundreds of pictures arrive while a person types.

Shared by the soak test and ``make bench``: the real window, logged in,
watches its drop folder; batches of pictures land there while someone types
patient names into the search box, one key at a time. A precise 10 ms timer
on the GUI thread notes how long the window went without a turn.
"""

from __future__ import annotations

import io
import random
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt, QTimer

NAMES = ("nguyen mai", "smith john", "5/6/90", "nguyn minh", "10002")
#: About six keys a second, as a receptionist types a name.
KEY_INTERVAL_MS = 160


@dataclass
class Soak:
    """What the soak saw: how long it ran, what it took in, and the GUI thread's longest wait.

    ``worst_by_batch`` is the longest gap, in milliseconds, while each batch arrived.
    """

    seconds: float = 0.0
    pictures: int = 0
    keys: int = 0
    searches: int = 0
    gaps: list[float] = field(default_factory=list)
    worst_by_batch: list[float] = field(default_factory=list)

    @property
    def worst_gap_ms(self) -> float:
        """The longest the GUI thread went without running the timer, in milliseconds."""
        return max(self.gaps, default=0.0) * 1000


def make_pictures(folder: Path, count: int, seed: int = 11) -> list[Path]:
    """Write ``count`` distinct small photos (640×480 JPEG): none is a duplicate of another."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    made = []
    for number in range(count):
        picture = Image.new("RGB", (640, 480), tuple(rng.randrange(256) for _ in range(3)))
        noise = Image.effect_noise((640, 480), 24 + number % 40).convert("RGB")
        picture = Image.blend(picture, noise, 0.35)
        data = io.BytesIO()
        picture.save(data, "JPEG", quality=85)
        path = folder / f"photo-{number:04d}.jpg"
        path.write_bytes(data.getvalue())
        made.append(path)
    return made


class _GapClock:
    """A 10 ms timer on the GUI thread that records each gap between two of its turns."""

    def __init__(self, gaps: list[float]) -> None:
        self._gaps = gaps
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        self._last = time.perf_counter()

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self._gaps.append(now - self._last)
        self._last = now


def run(bot, shell, drop: Path, batches: list[list[Path]], *,
        timeout_s: float = 300.0) -> Soak:
    """Drop each batch into the watched folder, typing between arrivals; return what was seen.

    Args:
        bot: pytest-qt's ``qtbot`` (or anything with its ``keyClick`` and ``wait``).
        shell: the started, logged-in window.
        drop: the folder the window watches.
        batches: the pictures to drop, one list per batch.
        timeout_s: how long the whole soak may take before it counts as stuck.
    """
    soak = Soak()
    inbox = shell.desk_view.inbox
    search = shell.desk_controller.panel.search_edit
    shell.desk_controller.searched.connect(lambda _result: _count_search(soak))
    expected = inbox.model.rowCount()
    typed = _Typist(bot, search, soak)
    # The person was at the desk before the pictures came: what Qt and Python
    # set up on the first key and the first search is paid before measuring.
    typed.one_name()
    clock = _GapClock(soak.gaps)
    started = time.perf_counter()
    clock.start()
    for batch in batches:
        before = len(soak.gaps)
        delivery = threading.Thread(target=_deliver, args=(batch, drop))
        delivery.start()
        expected += len(batch)
        while inbox.model.rowCount() < expected:
            if time.perf_counter() - started > timeout_s:
                raise TimeoutError(f"only {inbox.model.rowCount()} of {expected} pictures "
                                   f"arrived in {timeout_s:.0f} s")
            typed.next_key()
            bot.wait(KEY_INTERVAL_MS)
        delivery.join()
        soak.worst_by_batch.append(max(soak.gaps[before:], default=0.0) * 1000)
    clock.stop()
    soak.seconds = time.perf_counter() - started
    soak.pictures = inbox.model.rowCount()
    return soak


def _deliver(batch: list[Path], drop: Path) -> None:
    """Save a batch into the drop folder from another thread, as a mail client would."""
    for source in batch:
        shutil.copyfile(source, drop / source.name)


def _count_search(soak: Soak) -> None:
    soak.searches += 1


class _Typist:
    """Types names into the search box a key at a time, and clears the box between names."""

    def __init__(self, bot, search, soak: Soak) -> None:
        self._bot = bot
        self._search = search
        self._soak = soak
        self._name = 0
        self._position = 0

    def one_name(self) -> None:
        """Type a whole name, a key at a time, and clear the box."""
        for _key in range(len(NAMES[self._name % len(NAMES)]) + 1):
            self.next_key()
            self._bot.wait(KEY_INTERVAL_MS)

    def next_key(self) -> None:
        name = NAMES[self._name % len(NAMES)]
        if self._position == len(name):
            self._bot.keyClick(self._search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            self._bot.keyClick(self._search, Qt.Key.Key_Backspace)
            self._name += 1
            self._position = 0
            return
        self._bot.keyClick(self._search, name[self._position])
        self._position += 1
        self._soak.keys += 1
