"""The push channel in the window: a sync as soon as the server says there is something new,
and a notification for what happened (answers to the user's delegations, withdrawn todos).
Todos delegated *to* the user are announced by the window after that sync, once each."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from todo.push import Notice, PushError, PushListener, SyncRequested
from todo.task import PartStat
from todo.ui import texts
from todo.ui.notifications import Notification

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
) -> str:
    """Sync on every push and show its notices; returns why the channel ended for good."""
    try:
        async for event in listener.events():
            if not isinstance(event, SyncRequested):
                continue
            sync_now()
            for notice in event.notices:
                if notice.kind in _ANNOUNCED_AFTER_SYNC:
                    continue
                notify(
                    Notification(QCoreApplication.translate("Push", "ToDo"), notice_text(notice))
                )
    except PushError as error:
        return str(error)
    return ""
