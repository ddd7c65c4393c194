"""Drive Debian's SyncEvolution CLI as a SyncML client against any SyncML DS 1.2 server.

One `SyncEvolutionClient` is one device: a private XDG config/data/cache tree under `root_dir`,
one `todo` datastore kept by SyncEvolution's `file` backend (one iCalendar file per task) and one
peer config named `server`. The local store is plain files, so tests read and edit it directly.

Bookworm's `syncevolution` 2.0.0 crashes in libcurl on its first send (it hands curl NULL
read/write callbacks); `ensure_curl_preload()` builds a small LD_PRELOAD shim from
`curl_preload.c` once per process and every sync runs with it.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

SYNCEVOLUTION = "syncevolution"
PRELOAD_SOURCE = Path(__file__).with_name("curl_preload.c")
DEFAULT_TIMEOUT = 300.0
PEER_CONFIG = "server"
SOURCE = "todo"

SyncMode = Literal[
    "two-way",
    "slow",
    "refresh-from-server",
    "refresh-from-client",
    "one-way-from-server",
    "one-way-from-client",
]
AuthType = Literal["md5", "basic"]

_preload_lock = threading.Lock()
_preload_path: Path | None = None


class SyncEvolutionError(RuntimeError):
    """A SyncEvolution command failed or timed out; the message carries its output and log."""


def missing_tools() -> list[str]:
    """Names of the external programs the interop harness needs but cannot find."""
    return [tool for tool in (SYNCEVOLUTION, "gcc") if shutil.which(tool) is None]


def ensure_curl_preload(cache_dir: Path | None = None) -> Path:
    """Build the libcurl shim (once per process, cached by source hash) and return its path."""
    global _preload_path
    with _preload_lock:
        if _preload_path is not None and _preload_path.exists():
            return _preload_path
        source = PRELOAD_SOURCE.read_bytes()
        digest = hashlib.sha256(source).hexdigest()[:16]
        base = cache_dir or Path(tempfile.gettempdir()) / f"traveler-interop-{os.getuid()}"
        base.mkdir(parents=True, exist_ok=True)
        target = base / f"curl_preload-{digest}.so"
        if not target.exists():
            # Build next to the target and rename, so concurrent test processes never load a
            # half-written library.
            partial = base / f".curl_preload-{digest}-{os.getpid()}.so"
            result = subprocess.run(
                [
                    "gcc",
                    "-shared",
                    "-fPIC",
                    "-O2",
                    "-Wall",
                    "-o",
                    str(partial),
                    str(PRELOAD_SOURCE),
                    "-ldl",
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if result.returncode != 0:
                raise SyncEvolutionError(f"building the curl preload failed:\n{result.stderr}")
            partial.replace(target)
        _preload_path = target
        return target


def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    stdin: str | None = None,
) -> tuple[int, str, str, float]:
    """Run argv in its own process group; kill the whole group on timeout.

    Returns (returncode, stdout, stderr, seconds); returncode is -9 after a timeout kill.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        list(argv),
        env=dict(env),
        cwd=cwd,
        text=True,
        start_new_session=True,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_process_group(proc)
        out, err = proc.communicate()
        err += f"\n[harness] killed after {timeout:.0f} s timeout\n"
    return proc.returncode, out, err, time.monotonic() - started


def kill_process_group(proc: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group that `proc` leads (started with start_new_session=True)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


# --- report parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceCounts:
    """One datastore row of SyncEvolution's "Changes applied during synchronization" table."""

    local_new: int = 0
    local_mod: int = 0
    local_del: int = 0
    local_err: int = 0
    remote_new: int = 0
    remote_mod: int = 0
    remote_del: int = 0
    remote_err: int = 0
    conflicts: int = 0
    mode: str = ""  # "slow", "two-way", "refresh-from-server", ... as the client reports it

    @property
    def transferred(self) -> int:
        """Items changed on either side (errors excluded)."""
        return (
            self.local_new
            + self.local_mod
            + self.local_del
            + self.remote_new
            + self.remote_mod
            + self.remote_del
        )


_ROW = re.compile(r"^\|\s*(\S+)\s*\|" + r"\s*(\d+)\s*\|" * 9 + r"\s*$")
_MODE_ROW = re.compile(r"^\|\s*([a-z-]+),")


def parse_report(stdout: str) -> dict[str, SourceCounts]:
    """Counts per datastore from the last report table in a sync's stdout."""
    lines = stdout.splitlines()
    start = max(
        (i for i, line in enumerate(lines) if line.startswith("Changes applied")), default=None
    )
    if start is None:
        return {}
    counts: dict[str, SourceCounts] = {}
    for i in range(start, len(lines)):
        match = _ROW.match(lines[i])
        if not match:
            continue
        n = [int(value) for value in match.groups()[1:]]
        mode_match = _MODE_ROW.match(lines[i + 1]) if i + 1 < len(lines) else None
        counts[match.group(1)] = SourceCounts(
            local_new=n[0],
            local_mod=n[1],
            local_del=n[2],
            local_err=n[3],
            remote_new=n[4],
            remote_mod=n[5],
            remote_del=n[6],
            remote_err=n[7],
            conflicts=n[8],
            mode=mode_match.group(1) if mode_match else "",
        )
    return counts


@dataclass
class SyncResult:
    """What one `syncevolution` sync run did."""

    mode: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    counts: dict[str, SourceCounts] = field(default_factory=dict)
    log_dir: Path | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def todo(self) -> SourceCounts:
        """Counts of the `todo` datastore (zeros when the report has none)."""
        return self.counts.get(SOURCE, SourceCounts())

    @property
    def log_excerpt(self) -> str:
        """Status, error lines and tail of this run's session log (read when asked for)."""
        return session_log_excerpt(self.log_dir) if self.log_dir else "(no session log)"

    def describe(self) -> str:
        """Everything needed to debug a failed assertion: exit code, output, log excerpt."""
        return (
            f"syncevolution --sync {self.mode}: exit {self.returncode} after {self.seconds:.1f} s\n"
            f"--- stdout (tail) ---\n{_tail(self.stdout, 40)}\n"
            f"--- stderr (tail) ---\n{_tail(self.stderr, 40)}\n"
            f"--- session log {self.log_dir} ---\n{self.log_excerpt}"
        )


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


_TAG = re.compile(r"<[^>]+>")
_LOG_NOISE = re.compile(r"Never received status|Deleted command|Never sent prepared|SuspendFlags")


def session_log_excerpt(log_dir: Path, *, tail: int = 60, errors: int = 40) -> str:
    """Error lines plus the tail of a SyncEvolution session log, HTML stripped."""
    log = log_dir / "syncevolution-log.html"
    parts: list[str] = []
    status = log_dir / "status.ini"
    if status.exists():
        parts.append(status.read_text(errors="replace").strip())
    if log.exists():
        text = log.read_text(errors="replace")
        lines = [html.unescape(_TAG.sub("", line)).strip() for line in text.splitlines()]
        # After a failure the engine lists every unanswered command; that says nothing new.
        lines = [line for line in lines if line and not _LOG_NOISE.search(line)]
        raw = text.splitlines()
        bad = [
            html.unescape(_TAG.sub("", line)).strip()
            for line in raw
            if 'class="error"' in line or "[ERROR" in line
        ]
        if bad:
            parts.append("errors:\n" + "\n".join(bad[:errors]))
        parts.append(f"log tail ({log}):\n" + "\n".join(lines[-tail:]))
    return "\n".join(parts)


# --- the local file store ---------------------------------------------------------------------


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _fold(line: str) -> str:
    """Fold a content line at 75 octets as RFC 5545 asks (never inside a UTF-8 sequence)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    chunks: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        chunks.append(data[start:end].decode())
        start, limit = end, 74  # continuation lines start with one space
    return "\r\n ".join(chunks)


def _prop_name(key: str) -> str:
    return key.upper().replace("_", "-")


def _utc_stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_vtodo(text: str) -> dict[str, str]:
    """Properties of the first VTODO in an iCalendar/vCalendar text: NAME -> unescaped value.

    Parameters are dropped; a repeated property keeps its last value. Good enough for tests.
    """
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    props: dict[str, str] = {}
    inside = False
    for line in unfolded.splitlines():
        if line.upper() == "BEGIN:VTODO":
            inside = True
            continue
        if line.upper() == "END:VTODO":
            break
        if not inside or ":" not in line:
            continue
        head, value = line.split(":", 1)
        name = head.split(";", 1)[0].upper()
        if "ENCODING=QUOTED-PRINTABLE" in head.upper():
            value = _decode_quoted_printable(value)
        props[name] = _unescape(value)
    return props


def _decode_quoted_printable(value: str) -> str:
    import quopri

    return quopri.decodestring(value.replace("=\n", "").encode()).decode(errors="replace")


@dataclass(frozen=True)
class LocalItem:
    path: Path
    props: dict[str, str]

    @property
    def uid(self) -> str:
        return self.props.get("UID", "")


class TaskStore:
    """The file backend's directory: one calendar object per file, file name = local ID."""

    def __init__(self, directory: Path, *, vcalendar: bool = False) -> None:
        self.directory = directory
        self.vcalendar = vcalendar
        directory.mkdir(parents=True, exist_ok=True)

    def items(self) -> list[LocalItem]:
        """Every stored item, duplicates included."""
        return [
            LocalItem(path, parse_vtodo(path.read_text(errors="replace")))
            for path in sorted(self.directory.iterdir())
            if path.is_file() and not path.name.startswith(".")
        ]

    def uids(self) -> list[str]:
        """UIDs of all items, duplicates included, sorted."""
        return sorted(item.uid for item in self.items())

    def tasks(self) -> dict[str, dict[str, str]]:
        """UID -> properties. Fails loudly on a duplicated UID: the harness never tolerates one."""
        result: dict[str, dict[str, str]] = {}
        duplicates: list[str] = []
        for item in self.items():
            if item.uid in result:
                duplicates.append(item.uid)
            result[item.uid] = item.props
        if duplicates:
            raise AssertionError(f"duplicated UIDs in {self.directory}: {sorted(duplicates)}")
        return result

    def count(self) -> int:
        return len(self.items())

    def _render(self, props: Mapping[str, str]) -> str:
        # vCalendar 1.0 has no escaping of ',' and ';' in SUMMARY as iCalendar does, but the
        # tests only use plain text there; the line structure is what differs.
        version = "1.0" if self.vcalendar else "2.0"
        lines = [
            "BEGIN:VCALENDAR",
            f"VERSION:{version}",
            "PRODID:-//Traveler Desktop//interop//EN",
            "BEGIN:VTODO",
        ]
        for name, value in props.items():
            lines.append(_fold(f"{name}:{_escape(value)}"))
        lines += ["END:VTODO", "END:VCALENDAR"]
        return "\r\n".join(lines) + "\r\n"

    def add(self, uid: str, summary: str, **props: str) -> Path:
        """Write a new task file; extra keyword names map to properties (due -> DUE)."""
        fields = {"UID": uid, "DTSTAMP": _utc_stamp(), "SUMMARY": summary}
        fields.update({_prop_name(k): v for k, v in props.items()})
        name = re.sub(r"[^A-Za-z0-9._-]", "_", uid) or "item"
        path = self.directory / f"{name}.ics"
        counter = 1
        while path.exists():
            path = self.directory / f"{name}-{counter}.ics"
            counter += 1
        path.write_text(self._render(fields), newline="")
        return path

    def find(self, uid: str) -> LocalItem:
        matches = [item for item in self.items() if item.uid == uid]
        if len(matches) != 1:
            raise AssertionError(
                f"expected one item with UID {uid!r} in {self.directory}, found {len(matches)}"
            )
        return matches[0]

    def modify(self, uid: str, *, last_modified: datetime | None = None, **props: str) -> None:
        """Change (or add) properties of a task; LAST-MODIFIED is set to now unless given."""
        item = self.find(uid)
        fields = dict(item.props)
        fields.update({_prop_name(k): v for k, v in props.items()})
        fields["LAST-MODIFIED"] = _utc_stamp(last_modified)
        before = item.path.stat().st_mtime
        item.path.write_text(self._render(fields), newline="")
        # The file backend's revision is the mtime in whole seconds; make sure it moves even
        # when the item was written by a sync in this same second.
        bumped = max(time.time(), before + 1.0)
        os.utime(item.path, (bumped, bumped))

    def delete(self, uid: str) -> None:
        self.find(uid).path.unlink()


# --- the client -------------------------------------------------------------------------------


class SyncEvolutionClient:
    """One SyncEvolution device with a `todo` file datastore, synced against `server_url`."""

    def __init__(
        self,
        root_dir: Path,
        device_id: str,
        server_url: str,
        user: str,
        password: str,
        *,
        wbxml: bool = True,
        auth: AuthType = "md5",
        max_msg_size: int | None = None,
        max_obj_size: int | None = None,
        uri: str = "tasks",
        database_format: str = "text/calendar",
        sync_format: str | None = None,
        retry_interval: int | None = None,
        retry_duration: int | None = None,
        prevent_slow_sync: bool | None = None,
        lean: bool = False,
        extra: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.root_dir = root_dir
        self.device_id = device_id
        self.server_url = server_url
        self.user = user
        self.password = password
        self.wbxml = wbxml
        self.auth: AuthType = auth
        self.max_msg_size = max_msg_size
        self.max_obj_size = max_obj_size
        self.uri = uri
        self.database_format = database_format
        # syncFormat is the type on the wire; without it SyncEvolution converts a vCalendar
        # store to whatever the server prefers (text/calendar).
        self.sync_format = sync_format
        self.retry_interval = retry_interval
        self.retry_duration = retry_duration
        self.prevent_slow_sync = prevent_slow_sync
        # lean: no per-sync database dumps and change listings, so a benchmark measures the
        # server rather than the client copying every item twice.
        self.lean = lean
        self.extra = dict(extra or {})
        self.timeout = timeout
        self.store = TaskStore(root_dir / "store", vcalendar="vcalendar" in database_format)
        self.logs = root_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self._runs = 0

    # environment ------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DBUS_", "LD_PRELOAD"))
        }
        env.update(
            HOME=str(self.root_dir),
            XDG_CONFIG_HOME=str(self.root_dir / "config"),
            XDG_DATA_HOME=str(self.root_dir / "data"),
            XDG_CACHE_HOME=str(self.root_dir / "cache"),
            LC_ALL="C.UTF-8",
        )
        return env

    def configure_args(self) -> list[str]:
        """The `syncevolution --configure` command line that creates this device's config."""
        props = {
            "syncURL": self.server_url,
            "username": self.user,
            "password": self.password,
            "deviceId": self.device_id,
            "enableWBXML": "1" if self.wbxml else "0",
            "clientAuthType": self.auth,
        }
        if self.max_msg_size is not None:
            props["maxMsgSize"] = str(self.max_msg_size)
        if self.max_obj_size is not None:
            props["maxObjSize"] = str(self.max_obj_size)
        if self.retry_interval is not None:
            props["RetryInterval"] = str(self.retry_interval)
        if self.retry_duration is not None:
            props["RetryDuration"] = str(self.retry_duration)
        if self.prevent_slow_sync is not None:
            props["preventSlowSync"] = "1" if self.prevent_slow_sync else "0"
        if self.lean:
            props.update(printChanges="0", dumpData="0")
        props.update(self.extra)
        source_props = {
            "backend": "file",
            "database": f"file://{self.store.directory}",
            "databaseFormat": self.database_format,
            "uri": self.uri,
            "sync": "two-way",
        }
        if self.sync_format is not None:
            source_props.update(syncFormat=self.sync_format, forceSyncFormat="1")
        args = [
            SYNCEVOLUTION,
            "--daemon=no",
            "--keyring=no",
            "--configure",
            "--template",
            "SyncEvolution",
        ]
        for key, value in props.items():
            args += ["--sync-property", f"{key}={value}"]
        for key, value in source_props.items():
            args += ["--source-property", f"{key}={value}"]
        return [*args, PEER_CONFIG, SOURCE]

    def configure(self) -> None:
        """Create (or overwrite) the SyncEvolution config for this device."""
        rc, out, err, _ = run_process(self.configure_args(), env=self.env(), timeout=120)
        self._save("configure", out, err)
        if rc != 0:
            raise SyncEvolutionError(f"syncevolution --configure failed ({rc}):\n{out}\n{err}")

    # syncing ----------------------------------------------------------------------------------

    def sync(self, mode: SyncMode = "two-way", *, expect_ok: bool = True) -> SyncResult:
        """Run one sync; with expect_ok, a failure raises AssertionError with the log excerpt."""
        env = self.env()
        env["LD_PRELOAD"] = str(ensure_curl_preload())
        argv = [SYNCEVOLUTION, "--daemon=no", "--keyring=no", "--sync", mode, PEER_CONFIG, SOURCE]
        before = set(self._session_dirs())
        rc, out, err, seconds = run_process(argv, env=env, timeout=self.timeout)
        self._runs += 1
        self._save(f"sync-{self._runs:02d}-{mode}", out, err)
        # The newest session directory is this run's (none if it failed before logging).
        candidates = [d for d in self._session_dirs() if d not in before] or self._session_dirs()
        log_dir = max(candidates, key=lambda d: d.stat().st_mtime) if candidates else None
        result = SyncResult(
            mode=mode,
            returncode=rc,
            stdout=out,
            stderr=err,
            seconds=seconds,
            counts=parse_report(out),
            log_dir=log_dir,
        )
        if expect_ok and not result.ok:
            raise AssertionError(f"{self.device_id}: sync failed\n{result.describe()}")
        return result

    def _session_dirs(self) -> list[Path]:
        base = self.root_dir / "cache" / "syncevolution"
        return [d for d in base.iterdir() if d.is_dir()] if base.exists() else []

    def _save(self, name: str, out: str, err: str) -> None:
        (self.logs / f"{name}.stdout").write_text(out)
        (self.logs / f"{name}.stderr").write_text(err)

    # local store ------------------------------------------------------------------------------

    def add_task(self, uid: str, summary: str, **props: str) -> Path:
        return self.store.add(uid, summary, **props)

    def modify_task(self, uid: str, *, last_modified: datetime | None = None, **props: str) -> None:
        self.store.modify(uid, last_modified=last_modified, **props)

    def delete_task(self, uid: str) -> None:
        self.store.delete(uid)

    def tasks(self) -> dict[str, dict[str, str]]:
        return self.store.tasks()

    def uids(self) -> list[str]:
        return self.store.uids()

    def count(self) -> int:
        return self.store.count()

    def summaries(self) -> dict[str, str]:
        """UID -> SUMMARY, the usual thing to compare between devices."""
        return {uid: props.get("SUMMARY", "") for uid, props in self.tasks().items()}

    def __repr__(self) -> str:
        return f"SyncEvolutionClient({self.device_id!r} -> {self.server_url})"
