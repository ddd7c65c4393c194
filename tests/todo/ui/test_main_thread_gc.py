"""The apps collect garbage on the UI thread only: a Qt object with a running timer that dies
in a cycle collected by a worker thread crashed the process at its next timer event."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QApplication

from todo.ui.main_thread_gc import collect_on_main_thread

# A widget with a running timer, referenced only from a cycle, collected by a worker thread
# that allocates (as the store's and the sync's threads do), then the UI thread's events.
_CYCLE_IN_A_WORKER = """
import os, threading, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
app = QApplication([])
{install}
class Ticking(QObject):
    def __init__(self):
        super().__init__()
        self.startTimer(5)
class Cycle:
    pass
def garbage():
    cycle = Cycle()
    cycle.me, cycle.ticking = cycle, Ticking()
garbage()
def work():
    junk = [[i] for i in range(200_000)]  # allocations that cross the thresholds
    del junk
worker = threading.Thread(target=work)
worker.start()
worker.join()
end = time.monotonic() + 1.5
while time.monotonic() < end:
    app.processEvents()
print("alive")
"""


def _run(install: str) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(_CYCLE_IN_A_WORKER).format(install=install)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_widget_dying_in_a_worker_threads_collection_is_collected_on_the_ui_thread() -> None:
    fixed = _run(
        "from todo.ui.main_thread_gc import collect_on_main_thread\ncollect_on_main_thread(app)"
    )
    assert fixed.returncode == 0 and "alive" in fixed.stdout, fixed.stderr
    assert "Timers cannot be stopped from another thread" not in fixed.stderr
    # without it, the same program crashes (so the test above shows the fix, not luck)
    unfixed = _run("")
    assert unfixed.returncode != 0, unfixed.stdout + unfixed.stderr


def test_the_collector_collects_what_the_automatic_one_would_have(qapp: QApplication) -> None:
    collector = collect_on_main_thread(qapp)
    assert collect_on_main_thread(qapp) is collector  # one per application
    assert not gc.isenabled()

    class Cycle:
        me: object

    for _ in range(gc.get_threshold()[0] + 10):
        cycle = Cycle()
        cycle.me = cycle
    del cycle
    assert collector.collect_due() > 0
