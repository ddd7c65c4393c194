"""The push channel in the window: a sync as soon as the server says there is something new,
and a notification for what happened (answers to the user's delegations, withdrawn todos).
Todos delegated *to* the user are announced by the window after that sync, once each. The
sync status shows when the channel is down: reconnecting (the listener backs off) or ended."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from todo.push import Connected, Disconnected, Notice, PushError, PushListener, SyncRequested
from todo.task import PartStat
from todo.ui import texts
from todo.ui.notifications import Notification
from todo.ui.sync_status import PushPhase, PushState

# Notice kinds the window announces itself after the sync (see TodoWindow.notify_delegated).
_ANNOUNCED_AFTER_SYNC = {"delegated"}


def notice_text(notice: Notice) -> str:
    """The notice in the user's language."""
    templates = {
        "updated": QCoreApplication.translate("Push", "%1 changed “%2”, which is delegated to you"),
        "cancelled": QCoreApplication.translate("Push", "%1 withdrew “%2”"),
        "answered": QCoreApplication.translate("Push", "%1 answered “%2”: %3"),
    }
    template = templates.get(notice.kind)
    if template is None:
        return notice.text
    try:
        answer = texts.partstat_text(PartStat(notice.partstat))
    except ValueError:
        answer = notice.partstat.lower()
    return template.replace("%1", notice.by).replace("%2", notice.summary).replace("%3", answer)


async def watch_push(
    listener: PushListener,
    sync_now: Callable[[], None],
    notify: Callable[[Notification], None],
    show: Callable[[PushState], None],
) -> None:
    """Sync on every push and show its notices, and how the channel stands, until cancelled
    or until the server refuses it for good (or the listener fails)."""
    try:
        async for event in listener.events():
            if isinstance(event, Connected):
                show(PushState(PushPhase.CONNECTED))
                # A new subscription starts at the server's latest event: what changed since
                # the last sync began is not pushed, so sync for it.
                sync_now()
            elif isinstance(event, Disconnected):
                show(PushState(PushPhase.RECONNECTING, event.reason, event.retry_in))
            elif isinstance(event, SyncRequested):
                sync_now()
                title = QCoreApplication.translate("Push", "ToDo")
                for notice in event.notices:
                    if notice.kind not in _ANNOUNCED_AFTER_SYNC:
                        notify(Notification(title, notice_text(notice)))
    except PushError as error:
        show(PushState(PushPhase.ENDED, str(error)))
    except Exception as error:
        # A fault, not a refusal: the window must not look live while nothing listens any
        # more (the fault itself goes on to the log).
        show(PushState(PushPhase.ENDED, str(error) or type(error).__name__))
        raise
