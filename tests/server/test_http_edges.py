"""HTTP edges as ordinary clients meet them: big bodies, stalled uploads, shutdown, methods."""

from __future__ import annotations

import http.client
import json
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.server_process import ServerProcess

XML = "application/vnd.syncml+xml"


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()


def start(data: Path, servers: list[ServerProcess], settings: str = "") -> ServerProcess:
    (data / "notes.ini").write_text(settings)
    server = ServerProcess(data, "--port", "0")
    servers.append(server)
    server.started()
    return server


def address(server: ServerProcess) -> tuple[str, int]:
    host, port = server.base.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def stop(server: ServerProcess) -> str:
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    return server.text()


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


@pytest.mark.parametrize("chunked", [False, True])
def test_a_too_large_body_gets_a_413_the_client_can_read(
    tmp_path: Path, servers: list[ServerProcess], chunked: bool
) -> None:
    server = start(tmp_path, servers, "NTS_MAX_MESSAGE_SIZE=1024\n")
    body = b"<SyncML>" + b"x" * (3 * 1024 * 1024)
    connection = http.client.HTTPConnection(*address(server), timeout=60)
    if chunked:
        # No Content-Length: the server only finds out while reading.
        pieces = (body[i:i + 65536] for i in range(0, len(body), 65536))
        connection.request("POST", "/traveler", body=pieces, headers={"Content-Type": XML},
                           encode_chunked=True)
    else:
        connection.request("POST", "/traveler", body=body, headers={"Content-Type": XML})
    response = connection.getresponse()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/problem+json"
    assert "NTS_MAX_MESSAGE_SIZE" in json.loads(response.read())["detail"]
    connection.close()
    assert "Traceback" not in stop(server)


def test_a_client_waiting_for_100_continue_gets_the_413_at_once(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_MAX_MESSAGE_SIZE=1024\n")
    with socket.create_connection(address(server), timeout=60) as sock:
        sock.sendall(b"POST /traveler HTTP/1.1\r\nHost: x\r\nContent-Type: " + XML.encode()
                     + b"\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
        status, headers, _ = read_response(sock)  # no body sent: the server must not wait
    assert status == 413
    assert headers["connection"] == "close"
    stop(server)


def test_a_wrong_content_type_with_a_big_body_is_readable_too(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers)
    connection = http.client.HTTPConnection(*address(server), timeout=60)
    connection.request("POST", "/traveler", body=b"x" * (3 * 1024 * 1024),
                       headers={"Content-Type": "text/plain"})
    assert connection.getresponse().status == 415
    connection.close()
    stop(server)


def test_a_stalled_upload_is_given_up_with_408(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_HTTP_READ_TIMEOUT=1\n")
    with socket.create_connection(address(server), timeout=60) as sock:
        sock.sendall(b"POST /traveler HTTP/1.1\r\nHost: x\r\nContent-Type: " + XML.encode()
                     + b"\r\nContent-Length: 1000\r\n\r\n<SyncML>")
        status, _, body = read_response(sock)
    assert status == 408
    assert "NTS_HTTP_READ_TIMEOUT" in json.loads(body)["detail"]
    out = stop(server)
    assert "stalled while sending its message (408)" in out


def test_sigterm_answers_a_stalled_upload_503_and_exits_cleanly(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    server = start(tmp_path, servers, "NTS_LOG_LEVEL=FINEST\n")
    with socket.create_connection(address(server), timeout=60) as sock:
        sock.sendall(b"POST /traveler HTTP/1.1\r\nHost: x\r\nContent-Type: " + XML.encode()
                     + b"\r\nContent-Length: 1000\r\n\r\n<SyncML>")
        server.wait_for("Receiving a SyncML message")
        server.proc.send_signal(signal.SIGTERM)
        status, headers, body = read_response(sock)
    assert status == 503
    assert headers["retry-after"] == "30"
    assert headers["content-type"] == "application/problem+json"
    assert "shutting down" in json.loads(body)["detail"]
    assert server.finish() == 0
    out = server.text()
    assert len([line for line in out.splitlines() if "Refused a request" in line]) == 1
    assert "Traceback" not in out
    assert out.splitlines()[-1].endswith("Traveler: Server stopped.")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/traveler", "GET, HEAD, POST"),
        ("DELETE", "/servlet/traveler", "GET, HEAD, POST"),
        ("OPTIONS", "/traveler", "GET, HEAD, POST"),
        ("POST", "/health", "GET, HEAD"),
        ("PATCH", "/health", "GET, HEAD"),
    ],
)
def test_every_wrong_method_gets_405_with_the_paths_allow_list(
    tmp_path: Path, servers: list[ServerProcess], method: str, path: str, allow: str
) -> None:
    server = start(tmp_path, servers)
    connection = http.client.HTTPConnection(*address(server), timeout=60)
    connection.request(method, path, body=b"{}")
    response = connection.getresponse()
    assert response.status == 405
    assert response.getheader("Allow") == allow
    assert response.getheader("Content-Type") == "application/problem+json"
    problem = json.loads(response.read())
    assert problem["status"] == 405 and method in problem["detail"]
    for get in ("GET", "HEAD"):
        connection = http.client.HTTPConnection(*address(server), timeout=60)
        connection.request(get, "/traveler")
        page = connection.getresponse()
        assert page.status == 200 and page.getheader("Content-Type", "").startswith("text/html")
        page.read()
    stop(server)
