"""The sync state, always visible: syncing, when the last sync was, or what went wrong with a
Retry button, and whether the push channel (live updates) is down. :class:`SyncController`
runs syncs in the background (one at a time) and says how they went and how push stands;
:class:`SyncStatus` is the status-bar widget that shows it."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from companion.errors import SignInError
from companion.ui.error_texts import sign_in_error_text
from todo.ui import texts
from todo.ui.background import spawn


class SyncPhase(enum.Enum):
    """Where syncing stands."""

    NOT_SIGNED_IN = "not-signed-in"
    NEVER = "never"
    SYNCING = "syncing"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SyncState:
    """The phase, the last successful sync, and the reason of the last failure."""

    phase: SyncPhase
    last_sync: datetime | None = None
    error: str = ""
    summary: str = ""


class PushPhase(enum.Enum):
    """Where the push channel stands."""

    NONE = "none"  # no push channel (not signed in, or the server has none): nothing to say
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # dropped; the listener tries again (backing off)
    ENDED = "ended"  # refused for good (push off, device signed out): syncs on the timer only


@dataclass(frozen=True, slots=True)
class PushState:
    """The push channel's phase, why it is down, and when the listener tries again."""

    phase: PushPhase
    reason: str = ""
    retry_in: float = 0.0


class SyncController(QObject):
    """Runs ``run_sync`` off the UI thread when asked (a second request while one runs makes
    one more run afterwards, so a push during a sync is not missed)."""

    state_changed = Signal(object)  # SyncState
    finished = Signal(object)  # what run_sync returned
    push_changed = Signal(object)  # PushState

    def __init__(
        self, run_sync: Callable[[], Awaitable[object]] | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._run_sync = run_sync
        self._running = False
        self._again = False
        self._task: asyncio.Task[None] | None = None
        phase = SyncPhase.NEVER if run_sync is not None else SyncPhase.NOT_SIGNED_IN
        self.state = SyncState(phase)
        self.push = PushState(PushPhase.NONE)
        self.clock = datetime.now

    def set_runner(self, run_sync: Callable[[], Awaitable[object]] | None) -> None:
        """Sync with another account (None: signed out)."""
        self._run_sync = run_sync
        self._set(SyncState(SyncPhase.NEVER if run_sync is not None else SyncPhase.NOT_SIGNED_IN))

    def _set(self, state: SyncState) -> None:
        self.state = state
        self.state_changed.emit(state)

    def set_push(self, push: PushState) -> None:
        """Say how the push channel stands (the push watcher calls this)."""
        self.push = push
        self.push_changed.emit(push)

    def sync_now(self) -> None:
        """Start a sync (or queue one more after the running one)."""
        if self._run_sync is None:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self._set(SyncState(SyncPhase.SYNCING, self.state.last_sync))
        self._task = spawn(self._sync(self._run_sync))

    async def stop(self) -> None:
        """Start no more syncs, and wait for the running one (its outcome still shown, while
        the window is there to show it)."""
        self._run_sync = None
        self._again = False
        if self._task is not None:
            await asyncio.wait([self._task])

    async def _sync(self, run_sync: Callable[[], Awaitable[object]]) -> None:
        try:
            result = await run_sync()
        except Exception as error:  # every failure is shown with its reason, never raised
            self._running = False
            self._set(SyncState(SyncPhase.FAILED, self.state.last_sync, _reason(error)))
        else:
            self._running = False
            self._set(SyncState(SyncPhase.DONE, self.clock(), summary=str(result or "")))
            self.finished.emit(result)
        # A request made while this run was under way (a push) is about news this run may
        # have missed: it gets a run of its own, after a failed run too.
        if self._again:
            self._again = False
            self.sync_now()


def _reason(error: Exception) -> str:
    """What went wrong, in the user's language where the problem is a known one."""
    if isinstance(error, SignInError):
        return sign_in_error_text(error)
    return str(error) or type(error).__name__


class _ElidedLabel(QLabel):
    """A one-line label that ends in "…" when its text is wider than the status bar (the full
    text is its tool tip); ``text()`` stays the whole text."""

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            self.contentsRect(),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            shown,
        )


class _Dot(QWidget):
    """A small coloured circle: green synced, blue syncing, red failed, grey otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colour = QColor("#8a8a8a")
        self.setFixedSize(10, 10)

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        painter.drawEllipse(1, 1, 8, 8)


class SyncStatus(QWidget):
    """The status-bar widget of the sync state, with Retry after a failure."""

    retry_requested = Signal()
    sign_in_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self._state = SyncState(SyncPhase.NOT_SIGNED_IN)
        self.clock = datetime.now
        self.dot = _Dot(self)
        self.label = _ElidedLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.retry = QPushButton(self.tr("Retry"), self)
        self.retry.setObjectName("retry")
        self.retry.clicked.connect(self.retry_requested)
        self.sign_in = QPushButton(self.tr("Sign in…"), self)
        self.sign_in.clicked.connect(self.sign_in_requested)
        # Shown only while the push channel is down: the list may be behind the server until
        # it is back (or until the next sync on the timer).
        self.push = QLabel(self)
        self.push.setObjectName("pushStatus")
        self.push.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.setSpacing(8)
        layout.addWidget(self.dot)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.push)
        layout.addWidget(self.retry)
        layout.addWidget(self.sign_in)
        # "Synced 3 minutes ago" has to age while nothing happens.
        self._ticker = QTimer(self)
        self._ticker.setInterval(30_000)
        self._ticker.timeout.connect(lambda: self.show_state(self._state))
        self._ticker.start()
        self.show_state(self._state)
        self.show_push(PushState(PushPhase.NONE))

    def show_push(self, push: PushState) -> None:
        """Show how the push channel stands (nothing while it works, or without one)."""
        if push.phase is PushPhase.RECONNECTING:
            text = self.tr("Live updates interrupted — reconnecting")
            tip = (
                self.tr("%1 — trying again in %2 s")
                .replace("%2", f"{max(1, round(push.retry_in))}")
                .replace("%1", push.reason)
            )
        elif push.phase is PushPhase.ENDED:
            text = self.tr("No live updates")
            tip = self.tr("%1 Changes made elsewhere arrive with the next sync.").replace(
                "%1", push.reason
            )
        else:
            text = tip = ""
        self.push.setText(text)
        self.push.setToolTip(tip)
        self.push.setVisible(bool(text))

    def show_state(self, state: SyncState) -> None:
        """Show ``state``."""
        self._state = state
        colours = {
            SyncPhase.SYNCING: "#246fe0",
            SyncPhase.DONE: "#1a7f37",
            SyncPhase.FAILED: "#c0392b",
        }
        self.dot.colour = QColor(colours.get(state.phase, "#8a8a8a"))
        self.dot.update()
        self.retry.setVisible(state.phase is SyncPhase.FAILED)
        self.sign_in.setVisible(state.phase is SyncPhase.NOT_SIGNED_IN)
        text = self.text_of(state)
        self.label.setText(text)
        self.label.setToolTip(text)

    def text_of(self, state: SyncState) -> str:
        """The words for ``state``."""
        if state.phase is SyncPhase.NOT_SIGNED_IN:
            return self.tr("Not signed in — your todos stay on this computer")
        if state.phase is SyncPhase.SYNCING:
            return self.tr("Syncing…")
        last = self.last_sync_text(state.last_sync)
        if state.phase is SyncPhase.FAILED:
            return self.tr("Sync failed: %1").replace("%1", state.error) + (
                f" · {last}" if state.last_sync else ""
            )
        return last

    def last_sync_text(self, when: datetime | None) -> str:
        """ "Never synced", "Synced just now", "Synced 5 minutes ago", "Synced Yesterday 14:02"."""
        if when is None:
            return self.tr("Never synced")
        now = self.clock()
        seconds = (now - when).total_seconds()
        if seconds < 60:
            return self.tr("Synced just now")
        if seconds < 3600:
            return self.tr("Synced %n minute(s) ago", None, int(seconds // 60))
        return self.tr("Synced %1").replace("%1", texts.moment_text(when, now.date()))
