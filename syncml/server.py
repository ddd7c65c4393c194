"""The server side of a SyncML DS session, as a sans-IO engine.

``SyncServer.receive(body, content_type, url)`` takes one client message and returns the
reply to send, with events saying what happened. All state goes through the
:class:`~syncml.backend.ServerBackend` the host passes in (one store transaction per
message), so a session survives a restart of the process between two of its messages.

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
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from syncml import auth, codec
from syncml._turn import Turn
from syncml.backend import ServerBackend
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
from syncml.outcome import AuthFailed, Event, ProtocolViolation, Reply, SyncFinished
from syncml.server_config import (
    MAX_DEVICE_ID,
    MIN_MSG_SIZE,
    SESSION_PARAM,
    SUPPORTED_VERSIONS,
    ServerConfig,
    normalise_uri,
)
from syncml.server_state import SessionState

__all__ = [
    "AuthFailed",
    "Event",
    "ProtocolViolation",
    "Reply",
    "ServerConfig",
    "SyncFinished",
    "SyncServer",
    "normalise_uri",
]


class SyncServer:
    """Drives server sessions; one instance serves every request of a process."""

    def __init__(self, config: ServerConfig, backend: ServerBackend) -> None:
        self.config = config
        self.backend = backend

    # ------------------------------------------------------------------ entry point

    def receive(self, body: bytes, content_type: str, url: str) -> Reply:
        """Process one client message; the returned reply is what to send back.

        Raises :class:`~syncml.errors.SyncMLError` (DecodeError, ProtocolError) when the
        body is no message SyncML can answer at all; nothing is stored then, and the
        host tells the client why in its own terms (the bundled server: HTTP 400).
        """
        wbxml = "wbxml" in content_type.lower()
        out_type = codec.CONTENT_TYPE_WBXML if wbxml else codec.CONTENT_TYPE_XML
        message = decode_message(codec.decode(body, content_type))
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
        token = parse_qs(urlsplit(url).query).get(SESSION_PARAM, [""])[0]
        state = self._load_state(token) if token else None
        if state is not None and (
            state.device_id != device or not _same_user(header, state.username)
        ):
            # A session belongs to the device and user that authenticated it; anyone
            # else starts over (and must authenticate).
            state = None
        if state is not None and header.msg_id == state.client_msg_id:
            # A transport resend: answer as before, apply nothing twice.
            replay = self.backend.load_reply(state.key)
            if replay is not None:
                return Reply(body=replay[0], content_type=replay[1])
        digest = hashlib.sha256(body).hexdigest()
        if header.msg_id == 1:
            # The first message goes to the session-less URL, so a resend of it (its
            # answer, with the RespURI, got lost) is recognised by its bytes.
            first = self._first_message_replay(header, digest)
            if first is not None:
                return first
        fresh = state is None or header.msg_id <= state.client_msg_id or header.msg_id == 1
        if state is None or fresh:
            state = self._new_session(header, wbxml, url)  # a lower MsgID starts afresh
        turn = Turn(self.config, self.backend, state, message, out_type)
        reply = turn.run()
        if fresh and header.msg_id == 1 and turn.saved:
            self.backend.save_session(
                _first_message_key(header),
                {"first_message_of": state.key, "digest": digest},
                reply.body, reply.content_type,
            )
        return reply

    def _load_state(self, key: str) -> SessionState | None:
        data = self.backend.load_session(key)
        if not data:
            return None
        try:
            return SessionState.from_dict(data)
        except ValueError:
            return None  # not a session (or one from an incompatible version): start over

    def _first_message_replay(self, header: Header, digest: str) -> Reply | None:
        """The stored answer when this is a byte-identical resend of a session's first
        message and that session has not gone further."""
        key = _first_message_key(header)
        marker: dict[str, Any] | None = self.backend.load_session(key)
        if not marker or marker.get("digest") != digest:
            return None
        state = self._load_state(str(marker.get("first_message_of", "")))
        if state is None or state.client_msg_id != 1 or state.device_id != header.source.uri:
            return None
        if not _same_user(header, state.username):
            return None
        replay = self.backend.load_reply(key)
        if replay is None:
            return None
        return Reply(body=replay[0], content_type=replay[1])

    # ------------------------------------------------------------------ helpers

    def _new_session(self, header: Header, wbxml: bool, url: str) -> SessionState:
        token = secrets.token_urlsafe(12)
        parts = urlsplit(url)
        query = f"{SESSION_PARAM}={token}"
        resp_uri = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        meta = header.meta or Meta()
        return SessionState(
            key=token,
            version=header.version,
            wbxml=wbxml,
            client_session_id=header.session_id,
            device_id=header.source.uri,
            resp_uri=resp_uri,
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
    """Where the answer to a session's first message is kept for resends of it; the ':'
    never occurs in a session token, so no URL can name this record as a session."""
    who = f"{header.source.uri}\0{header.session_id}".encode("utf-8", "replace")
    return "first:" + hashlib.sha256(who).hexdigest()
