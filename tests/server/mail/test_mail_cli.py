"""`traveler-server mail …` and the SMTP listener of `traveler-server run`."""

from __future__ import annotations

import email.policy
import io
import signal
import smtplib
import socket
import sys
from pathlib import Path

import pytest

from server.cli import main
from server.store import Database
from server.store.mailboxes import MailStore
from tests.server.mail.mail_fixtures import TRUNCATED, make_users, message_with_pdf, write_ini
from tests.server.server_process import ServerProcess


@pytest.fixture
def data(tmp_path: Path) -> Path:
    with Database.open(tmp_path) as database:
        make_users(database)
    return tmp_path


def eml(tmp_path: Path, raw: bytes, name: str = "in.eml") -> str:
    path = tmp_path / name
    path.write_bytes(raw)
    return str(path)


def run(data: Path, *args: str) -> int:
    return main(["--data", str(data), *args])


def test_mail_deliver_stores_the_message_for_the_user(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = eml(data, message_with_pdf().as_bytes())
    assert run(data, "mail", "deliver", "alice", path, "--from", "carol@outside.test") == 0
    assert capsys.readouterr().out.startswith("Delivered to alice as message ")
    assert run(data, "mail", "list", "--user", "alice") == 0
    listing = capsys.readouterr().out
    assert "carol@outside.test" in listing and "The report" in listing
    assert "report.pdf" in listing
    with Database.open(data) as database:
        [stored] = MailStore(database).messages(1)
        raw = MailStore(database).raw(1, stored.id)
    assert raw is not None and raw.startswith(b"Return-Path: <carol@outside.test>\n")
    assert b"(traveler-server mail deliver) for <alice@example.test>;" in raw


def test_mail_deliver_reads_standard_input(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Stdin:
        buffer = io.BytesIO(b"Subject: piped\n\nhello\n")

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert run(data, "mail", "deliver", "bob", "-") == 0
    run(data, "mail", "list", "--user", "bob")
    assert "piped" in capsys.readouterr().out


def test_mail_deliver_refuses_unknown_users_and_missing_files(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = eml(data, message_with_pdf().as_bytes())
    assert run(data, "mail", "deliver", "zoe", path) == 1
    assert capsys.readouterr().err == "traveler-server: error: there is no user named 'zoe'\n"
    assert run(data, "mail", "deliver", "alice", str(data / "missing.eml")) == 1
    assert "cannot read" in capsys.readouterr().err


def test_mail_deliver_refuses_a_message_over_the_size_limit(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_ini(data, NTS_SMTP_MAX_MESSAGE_SIZE=2048)
    path = eml(data, message_with_pdf(pdf=b"x" * 5000).as_bytes())
    assert run(data, "mail", "deliver", "alice", path) == 1
    err = capsys.readouterr().err
    assert "this server accepts at most 2048 (NTS_SMTP_MAX_MESSAGE_SIZE)" in err
    with Database.open(data) as database:
        assert MailStore(database).messages(1) == []
        assert MailStore(database).quarantine_list() == []


def test_an_unparseable_message_goes_to_the_quarantine_which_the_admin_can_list(
    data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = eml(data, TRUNCATED)
    assert run(data, "mail", "deliver", "alice", path) == 1
    err = capsys.readouterr().err
    assert "was not delivered: a multipart part is not closed" in err
    assert "kept in the quarantine as #1" in err
    assert run(data, "mail", "quarantine", "list") == 0
    listing = capsys.readouterr().out
    assert "traveler-server mail deliver" in listing and "alice@example.test" in listing
    assert "the message looks truncated" in listing
    out = tmp_path / "kept.eml"
    assert run(data, "mail", "quarantine", "show", "1", "-o", str(out)) == 0
    assert out.read_bytes() == TRUNCATED
    assert run(data, "mail", "quarantine", "delete", "1") == 0
    assert run(data, "mail", "quarantine", "delete", "1") == 1
    capsys.readouterr()
    assert run(data, "mail", "quarantine", "list") == 0
    assert capsys.readouterr().out == "The quarantine is empty.\n"


def test_run_starts_the_smtp_listener_when_nts_smtp_port_is_set(
    data: Path, servers: list[ServerProcess], capsys: pytest.CaptureFixture[str]
) -> None:
    write_ini(data, NTS_SMTP_PORT=0)
    server = ServerProcess(data, "--port", "0")
    servers.append(server)
    line = server.wait_for("Traveler: SMTP listener started on ")
    host, port = line.split("Traveler: SMTP listener started on ", 1)[1].rsplit(":", 1)
    assert host == "127.0.0.1"
    server.wait_for("Traveler: Server started on ")
    with smtplib.SMTP("127.0.0.1", int(port), timeout=30) as client:
        client.sendmail(
            "carol@outside.test",
            ["alice@example.test"],
            message_with_pdf().as_bytes(policy=email.policy.SMTP),
        )
    server.wait_for("Traveler: Mail from <carol@outside.test> delivered to alice")
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    assert "Traceback" not in server.text()
    run(data, "mail", "list", "--user", "alice")
    assert "report.pdf" in capsys.readouterr().out


def test_run_without_nts_smtp_port_has_no_listener(
    data: Path, servers: list[ServerProcess]
) -> None:
    server = ServerProcess(data, "--port", "0")
    servers.append(server)
    server.wait_for("Traveler: Server started on ")
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    assert "SMTP" not in server.text()


def test_run_on_a_busy_smtp_port_fails_with_one_clear_line(
    data: Path, servers: list[ServerProcess]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        write_ini(data, NTS_SMTP_PORT=port)
        server = ServerProcess(data, "--port", "0")
        servers.append(server)
        assert server.finish() == 1
    assert (
        f"Traveler: SEVERE Cannot listen on 127.0.0.1:{port}: the port is "
        "already in use (another server running? choose another with NTS_SMTP_PORT)"
    ) in server.text()
    assert "Traceback" not in server.text()
