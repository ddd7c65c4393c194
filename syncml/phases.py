"""The phases of a SyncML DS session, the same for both roles, and the one table of the
moves between them.

A session goes through the packages of OMA-DS 1.2 section 5 in order: initialisation
(packages 1 and 2), the client's modifications (3), the server's modifications (4), the
client's map and the server's acknowledgement (5 and 6). Each role records where it is
with :class:`Phase`; :func:`advance` refuses a move the protocol does not have, so a
bug shows up as an error instead of a session that silently skips a package.
"""

from __future__ import annotations

from enum import StrEnum

from syncml.errors import ProtocolError


class Phase(StrEnum):
    """Where a session is; the value is what a saved session state holds."""

    INIT = "init"                # initialisation: Alerts, DevInf, credentials
    CLIENT_SYNC = "client-sync"  # the client's modifications travel (package 3)
    SERVER_SYNC = "server-sync"  # the server's modifications travel (package 4)
    MAP = "map"                  # the client's statuses and Map (package 5 and its answer)
    DONE = "done"                # the session ended; anchors are saved


TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.INIT: frozenset({Phase.CLIENT_SYNC}),
    Phase.CLIENT_SYNC: frozenset({Phase.SERVER_SYNC}),
    # A server with nothing to send (one-way from client) goes on to the map phase in the
    # same message; so does a client receiving an empty package 4.
    Phase.SERVER_SYNC: frozenset({Phase.MAP}),
    Phase.MAP: frozenset({Phase.DONE}),
    Phase.DONE: frozenset(),
}


def advance(current: Phase, to: Phase) -> Phase:
    """``to`` when the table allows the move from ``current``; ProtocolError otherwise."""
    if to not in TRANSITIONS[current]:
        raise ProtocolError(f"a session cannot go from phase {current.value!r} to {to.value!r}")
    return to
