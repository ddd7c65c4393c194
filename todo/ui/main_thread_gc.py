"""Python's cyclic garbage collector, run on the UI thread only.

The collector runs in whichever thread happens to allocate when a threshold is crossed: the
store's worker, the sync thread, an executor of the event loop. A Qt object that dies in such a
collection is destroyed in that thread; Qt cannot stop its timers from there ("Timers cannot be
stopped from another thread"), and the next timer event for it crashes the process. So the
automatic collector is turned off and a timer on the UI thread collects instead, with the
collector's own thresholds, as often as it would have.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

_INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Collects garbage on the thread of ``app`` (its parent); one per application."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("mainThreadCollector")
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold (what the automatic
        collector would have done by now); returns how many objects were unreachable."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0


def collect_on_main_thread(app: QCoreApplication) -> MainThreadCollector:
    """Install the collector on ``app`` once (again: the one already there; the automatic
    collector is turned off again, should something have turned it on)."""
    existing = app.findChild(MainThreadCollector, "mainThreadCollector")
    if isinstance(existing, MainThreadCollector):
        gc.disable()
        return existing
    return MainThreadCollector(app)
