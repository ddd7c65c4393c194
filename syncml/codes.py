"""SyncML status and alert codes, and the sync modes they select."""

from __future__ import annotations

from enum import IntEnum


class StatusCode(IntEnum):
    """Status codes of SyncML DS 1.2 (OMA-TS-DS_Protocol, section "Response status codes")."""

    OK = 200
    ITEM_ADDED = 201
    ACCEPTED_FOR_PROCESSING = 202
    NON_AUTHORITATIVE = 203
    NO_CONTENT = 204
    RESET_CONTENT = 205
    PARTIAL_CONTENT = 206
    CONFLICT_RESOLVED_WITH_MERGE = 207
    CONFLICT_RESOLVED_CLIENT_WINS = 208
    CONFLICT_RESOLVED_WITH_DUPLICATE = 209
    DELETE_WITHOUT_ARCHIVE = 210
    ITEM_NOT_DELETED = 211
    AUTHENTICATION_ACCEPTED = 212
    CHUNKED_ITEM_ACCEPTED = 213
    OPERATION_CANCELLED = 214
    NOT_EXECUTED = 215
    ATOMIC_ROLLBACK_OK = 216
    BAD_REQUEST = 400
    INVALID_CREDENTIALS = 401
    PAYMENT_NEEDED = 402
    FORBIDDEN = 403
    NOT_FOUND = 404
    COMMAND_NOT_ALLOWED = 405
    OPTIONAL_FEATURE_NOT_SUPPORTED = 406
    MISSING_CREDENTIALS = 407
    REQUEST_TIMEOUT = 408
    UPDATE_CONFLICT = 409
    GONE = 410
    SIZE_REQUIRED = 411
    INCOMPLETE_COMMAND = 412
    REQUEST_ENTITY_TOO_LARGE = 413
    URI_TOO_LONG = 414
    UNSUPPORTED_MEDIA_TYPE = 415
    REQUESTED_SIZE_TOO_BIG = 416
    RETRY_LATER = 417
    ALREADY_EXISTS = 418
    CONFLICT_RESOLVED_SERVER_WINS = 419
    DEVICE_FULL = 420
    UNKNOWN_SEARCH_GRAMMAR = 421
    BAD_CGI_SCRIPT = 422
    SOFT_DELETE_CONFLICT = 423
    SIZE_MISMATCH = 424
    PERMISSION_DENIED = 425
    COMMAND_FAILED = 500
    NOT_IMPLEMENTED = 501
    BAD_GATEWAY = 502
    SERVICE_UNAVAILABLE = 503
    GATEWAY_TIMEOUT = 504
    VERSION_NOT_SUPPORTED = 505
    PROCESSING_ERROR = 506
    ATOMIC_FAILED = 507
    REFRESH_REQUIRED = 508
    CANNOT_RESUME = 509
    DATASTORE_FAILURE = 510
    SERVER_FAILURE = 511
    SYNC_FAILED = 512
    PROTOCOL_NOT_SUPPORTED = 513
    OPERATION_CANCELLED_BY_USER = 514

    @property
    def is_success(self) -> bool:
        """2xx codes: the command did what was asked (or something the sender accepts)."""
        return 200 <= self < 300


class AlertCode(IntEnum):
    """Alert codes: sync modes (200-210) and session control (221-225)."""

    DISPLAY = 100
    TWO_WAY = 200
    SLOW_SYNC = 201
    ONE_WAY_FROM_CLIENT = 202
    REFRESH_FROM_CLIENT = 203
    ONE_WAY_FROM_SERVER = 204
    REFRESH_FROM_SERVER = 205
    TWO_WAY_BY_SERVER = 206
    ONE_WAY_FROM_CLIENT_BY_SERVER = 207
    REFRESH_FROM_CLIENT_BY_SERVER = 208
    ONE_WAY_FROM_SERVER_BY_SERVER = 209
    REFRESH_FROM_SERVER_BY_SERVER = 210
    RESULT_ALERT = 221
    NEXT_MESSAGE = 222
    NO_END_OF_DATA = 223
    SUSPEND = 224
    RESUME = 225

    @property
    def is_sync_mode(self) -> bool:
        """True for the codes that start the synchronisation of a datastore (200-210)."""
        return 200 <= self <= 210

    def plain_mode(self) -> AlertCode:
        """The client-initiated mode a server-alerted code (206-210) stands for."""
        if self == AlertCode.TWO_WAY_BY_SERVER:
            return AlertCode.TWO_WAY
        if 207 <= self <= 210:
            return AlertCode(self - 5)
        return self


# Modes in which the client sends its changes / the server sends its changes.
CLIENT_SENDS = frozenset(
    {AlertCode.TWO_WAY, AlertCode.SLOW_SYNC, AlertCode.ONE_WAY_FROM_CLIENT,
     AlertCode.REFRESH_FROM_CLIENT}
)
SERVER_SENDS = frozenset(
    {AlertCode.TWO_WAY, AlertCode.SLOW_SYNC, AlertCode.ONE_WAY_FROM_SERVER,
     AlertCode.REFRESH_FROM_SERVER}
)

MODE_NAMES: dict[AlertCode, str] = {
    AlertCode.TWO_WAY: "two-way",
    AlertCode.SLOW_SYNC: "slow",
    AlertCode.ONE_WAY_FROM_CLIENT: "one-way-from-client",
    AlertCode.REFRESH_FROM_CLIENT: "refresh-from-client",
    AlertCode.ONE_WAY_FROM_SERVER: "one-way-from-server",
    AlertCode.REFRESH_FROM_SERVER: "refresh-from-server",
}
