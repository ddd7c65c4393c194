"""The server side of a SyncML DS session, as a sans-IO engine.

The host drives it in two steps per client message::

    incoming = server.read(body, content_type)        # decode; no store access
    principal = None
    if incoming.password_check is not None:            # syncml:auth-basic: verify it
        check = incoming.password_check                # outside the write transaction
        principal = host_verifies(check.username, check.password)
    with store.transaction():
        reply = server.receive(incoming, session=token_from_the_url,
                               resp_uri=lambda token: url_for(token),
                               password=principal)

``receive`` returns the reply to send, with events saying what happened. All state goes
through the :class:`~syncml.server.backend.ServerBackend` the host passes in (one store
transaction per message), so a session survives a restart of the process between two of
its messages. The engine parses no URL: the host finds the session token in the request
and says which RespURI a new session's token is reached at.

Sync semantics (what SyncEvolution's server-conformance suite checks, and more):

* Server changes for a device are computed from item revisions and the device's
  mappings, not from timestamps: whatever a device did not confirm is sent again.
* A client Add whose UID the server already has is paired with that item, never
  twinned; a resent Add (same LUID) updates instead of duplicating.
* An item changed on both sides since the device's last sync is merged field by field
  by the datastore's content handler; where fields collide the later change wins.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from syncml import auth, codec
from syncml.codes import StatusCode
from syncml.errors import ProtocolError
from syncml.model import (
    Header,
    Location,
    Message,
    Meta,
    Status,
    decode_message,
    encode_message,
)
from syncml.packing import MIN_MSG_SIZE
from syncml.server._turn import Turn
from syncml.server.backend import Principal, ServerBackend
from syncml.server.config import (
    MAX_DEVICE_ID,
    SUPPORTED_VERSIONS,
    ServerConfig,
    normalise_uri,
)
from syncml.server.outcome import AuthFailed, Event, ProtocolViolation, Reply, SyncFinished
from syncml.server.state import SessionState

__all__ = [
    "AuthFailed",
    "Event",
    "Incoming",
    "PasswordCheck",
    "ProtocolViolation",
    "Reply",
    "ServerConfig",
    "SyncFinished",
    "SyncServer",
    "normalise_uri",
]

RespUriFor = Callable[[str], str]
"""Given a new session's token, the URI the client is to send the session's next messages
to (the host decides: its external URL, with the token where its router finds it)."""


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """A clear-text password the host must verify before :meth:`SyncServer.receive`."""

    username: str
    password: str


@dataclass(frozen=True, slots=True)
class Incoming:
    """A decoded client message, not yet processed."""

    body: bytes
    content_type: str
    message: Message
    password_check: PasswordCheck | None


class SyncServer:
    """Drives server sessions; one instance serves every request of a process."""

    def __init__(self, config: ServerConfig, backend: ServerBackend) -> None:
        self.config = config
        self.backend = backend

    # ------------------------------------------------------------------ entry points

    def read(self, body: bytes, content_type: str) -> Incoming:
        """Decode one client message (no store access).

        Raises :class:`~syncml.errors.SyncMLError` (DecodeError, ProtocolError) when the
        body is no message SyncML can answer at all; the host tells the client why in its
        own terms (the bundled server: HTTP 400).
        """
        message = decode_message(codec.decode(body, content_type))
        cred = message.header.cred
        check = None
        if cred is not None and cred.type == auth.AUTH_BASIC and (
            auth.AUTH_BASIC in self.config.auth_types
        ):
            basic = auth.parse_basic(cred.data)
            if basic is not None:
                check = PasswordCheck(basic.username, basic.password)
        return Incoming(body, content_type, message, check)

    def receive(self, incoming: Incoming, *, session: str | None, resp_uri: RespUriFor,
                password: Principal | None = None, peer: str | None = None) -> Reply:
        """Process one client message; the returned reply is what to send back.

        ``session`` is the session token the request was addressed to (None for the
        session-less URL), ``resp_uri`` makes a new session's RespURI, ``password`` is the
        host's answer to ``incoming.password_check`` (None: wrong, or nothing to check),
        ``peer`` the client's network address (a session continued without its RespURI must
        come from the address that opened it, or authenticate again).
        Raises :class:`~syncml.errors.ProtocolError` for a message no SyncML answer exists
        for; nothing is stored then.
        """
        body, content_type, message = incoming.body, incoming.content_type, incoming.message
        wbxml = "wbxml" in content_type.lower()
        out_type = codec.CONTENT_TYPE_WBXML if wbxml else codec.CONTENT_TYPE_XML
        header = message.header
        if header.version not in SUPPORTED_VERSIONS:
            return self._header_only_reply(
                header, wbxml, StatusCode.VERSION_NOT_SUPPORTED,
                ProtocolViolation(f"SyncML version {header.version} is not supported"),
            )
        device = header.source.uri
        if not device.strip() or len(device) > MAX_DEVICE_ID:
            raise ProtocolError(f"the device ID (SyncHdr/Source/LocURI) must be 1 to "
                                f"{MAX_DEVICE_ID} characters and not blank")
        state = self._load_state(session) if session else None
        reauthenticate = False
        if session is None and header.msg_id > 1:
            # A client that ignores our RespURI posts its session's later messages to
            # the session-less URL: found by its device, SessionID and user.
            state = self._session_of(header)
            if state is not None and _moved(state, peer):
                # Device ID and SessionID are no secret: from another address, only good
                # credentials in this very message continue the session.
                if header.cred is None:
                    state = None
                else:
                    reauthenticate = True
        if state is not None and (
            state.device_id != device or not _same_user(header, state.username)
        ):
            # A session belongs to the device and user that authenticated it; anyone
            # else starts over (and must authenticate).
            state = None
        if state is not None and header.msg_id == state.client_msg_id and not reauthenticate:
            # A transport resend: answer as before, apply nothing twice.
            replay = self.backend.load_reply(state.key)
            if replay is not None:
                return Reply(body=replay[0], content_type=replay[1])
        digest = hashlib.sha256(body).hexdigest()
        if header.msg_id == 1:
            # The first message goes to the session-less URL, so a resend of it (its
            # answer, with the RespURI, got lost) is recognised by its bytes.
            first = self._first_message_replay(header, digest, peer)
            if first is not None:
                return first
        fresh = state is None or header.msg_id <= state.client_msg_id or header.msg_id == 1
        if state is None or fresh:
            state = self._new_session(header, wbxml, resp_uri)  # a lower MsgID starts afresh
            state.peer = peer
            reauthenticate = False
        checked = password if incoming.password_check is not None else None
        turn = Turn(self.config, self.backend, state, message, out_type, checked,
                    reauthenticate=reauthenticate)
        if reauthenticate:
            state.peer = peer  # saved only if the credentials were good (a roaming client)
        reply = turn.run()
        if fresh and turn.saved:
            # Marks the session's first message (for its resends) and where the session
            # is found by device and SessionID (for clients that ignore the RespURI).
            self.backend.save_session(
                _first_message_key(header),
                {"first_message_of": state.key, "digest": digest},
                reply.body, reply.content_type,
            )
        return reply

    def _session_of(self, header: Header) -> SessionState | None:
        """The authenticated session this device opened under this SessionID, if the
        message is from its user (by credentials or LocName, when it names one)."""
        marker: dict[str, Any] | None = self.backend.load_session(_first_message_key(header))
        if not marker:
            return None
        state = self._load_state(str(marker.get("first_message_of", "")))
        if state is None or state.username is None or state.device_id != header.source.uri:
            return None
        named = header.source.name
        if named and named.casefold() != state.username.casefold():
            return None
        return state if _same_user(header, state.username) else None

    def _load_state(self, key: str) -> SessionState | None:
        data = self.backend.load_session(key)
        if not data:
            return None
        try:
            return SessionState.from_dict(data)
        except ValueError:
            return None  # not a session (or one from an incompatible version): start over

    def _first_message_replay(self, header: Header, digest: str,
                              peer: str | None) -> Reply | None:
        """The stored answer when this is a byte-identical resend of a session's first
        message and that session has not gone further."""
        key = _first_message_key(header)
        marker: dict[str, Any] | None = self.backend.load_session(key)
        if not marker or marker.get("digest") != digest:
            return None
        state = self._load_state(str(marker.get("first_message_of", "")))
        if state is None or state.client_msg_id != 1 or state.device_id != header.source.uri:
            return None
        if _moved(state, peer):
            return None  # the stored answer names the session: not for another address
        if not _same_user(header, state.username):
            return None
        replay = self.backend.load_reply(key)
        if replay is None:
            return None
        return Reply(body=replay[0], content_type=replay[1])

    # ------------------------------------------------------------------ helpers

    def _new_session(self, header: Header, wbxml: bool, resp_uri: RespUriFor) -> SessionState:
        token = secrets.token_urlsafe(12)
        meta = header.meta or Meta()
        return SessionState(
            key=token,
            version=header.version,
            wbxml=wbxml,
            client_session_id=header.session_id,
            device_id=header.source.uri,
            resp_uri=resp_uri(token),
            max_msg_size=max(meta.max_msg_size or 150_000, MIN_MSG_SIZE),
            max_obj_size=meta.max_obj_size if (meta.max_obj_size or 0) > 0 else None,
            started=self.config.clock(),
        )

    def _header_only_reply(self, header: Header, wbxml: bool, code: int, event: Event) -> Reply:
        reply = Message(
            header=Header(
                version=header.version if header.version in SUPPORTED_VERSIONS else "1.2",
                session_id=header.session_id,
                msg_id=1,
                target=Location(header.source.uri, header.source.name),
                source=Location(header.target.uri),
            ),
            commands=[Status(1, header.msg_id, 0, "SyncHdr", int(code),
                             [header.target.uri], [header.source.uri])],
            final=True,
        )
        root = encode_message(reply)
        content_type = codec.CONTENT_TYPE_WBXML if wbxml else codec.CONTENT_TYPE_XML
        return Reply(codec.encode(root, wbxml=wbxml), content_type, (event,))


def _moved(state: SessionState, peer: str | None) -> bool:
    """The message comes from another address than the session's (both known)."""
    return state.peer is not None and peer is not None and state.peer != peer


def _same_user(header: Header, username: str | None) -> bool:
    """False when the message carries credentials of another user than the session's."""
    cred = header.cred
    if cred is None or username is None:
        return True
    if cred.type == auth.AUTH_BASIC:
        basic = auth.parse_basic(cred.data)
        claimed = basic.username if basic else None
    else:
        claimed = header.source.name
    return claimed is not None and claimed.casefold() == username.casefold()


def _first_message_key(header: Header) -> str:
    """Where the answer to a session's first message is kept for resends of it, and the
    session found by device and SessionID; the ':' never occurs in a session token, so no
    URL can name this record as a session."""
    who = f"{header.source.uri}\0{header.session_id}".encode("utf-8", "replace")
    return "first:" + hashlib.sha256(who).hexdigest()
