"""``traveler-companion inspect``: a real process, the device key from a real (file) keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyrings.alt.file import PlaintextKeyring

import tef
from companion.device import DeviceIdentity, load_device
from companion.secret_store import SecretStore
from tests.companion.secure_files import flip_byte, recipient_of, write_tef

PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"
CONTENT = b"%PDF-1.7\n" + bytes(range(256)) * 512 + b"x" * 91  # three chunks


@pytest.fixture
def device(private_home: Path) -> DeviceIdentity:
    return load_device(private_home, SecretStore(PlaintextKeyring()))


def inspect(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": PLAINTEXT}
    return subprocess.run(
        [sys.executable, "-m", "companion.cli", "inspect", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_an_intact_file_for_this_device_is_verified_and_exits_0(
    device: DeviceIdentity, tmp_path: Path
) -> None:
    other = tef.Identity.generate().recipient
    path = write_tef(tmp_path / "report.pdf.tef", CONTENT, [other, recipient_of(device)])
    before = sorted(tmp_path.rglob("*"))
    result = inspect(str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(tmp_path.rglob("*")) == before  # no plaintext written anywhere here
    assert "report.pdf" in result.stdout
    assert "application/pdf" in result.stdout
    assert f"{recipient_of(device).tag.hex()} (this device)" in result.stdout
    assert "all 3 chunks are authentic" in result.stdout


def test_json_output_describes_header_recipients_and_policy(
    device: DeviceIdentity, tmp_path: Path
) -> None:
    policy = tef.Policy(approved_apps_only=True, allowed_apps=("org.gnome.Evince.desktop",))
    path = write_tef(tmp_path / "a.tef", CONTENT, [recipient_of(device)], policy=policy)
    result = inspect(str(path), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["problem"] is None
    assert report["algorithm"] == "AES-256-GCM"
    assert report["chunks"] == 3
    assert report["recipients"] == [{"tag": recipient_of(device).tag.hex(), "this_device": True}]
    assert report["metadata_verified"] is True
    assert report["metadata"]["size"] == len(CONTENT)
    assert report["metadata"]["policy"] == {
        "view_only": False,
        "approved_apps_only": True,
        "allowed_apps": ["org.gnome.Evince.desktop"],
    }


def test_a_file_for_another_device_says_so_and_exits_1(
    device: DeviceIdentity, tmp_path: Path
) -> None:
    path = write_tef(tmp_path / "a.tef", CONTENT, [tef.Identity.generate().recipient])
    result = inspect(str(path), "--json", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["problem"]["kind"] == "other-device"
    assert report["problem"]["message"] == "This file was encrypted for another device."
    assert report["metadata_verified"] is False
    assert report["metadata"]["name"] == "report.pdf"
    assert report["recipients"][0]["this_device"] is False
    assert "This file was encrypted for another device." in result.stderr


@pytest.mark.parametrize("damage", ["flip-last-chunk", "flip-header", "truncate", "append"])
def test_a_damaged_file_is_refused_with_the_reason(
    device: DeviceIdentity, tmp_path: Path, damage: str
) -> None:
    path = write_tef(tmp_path / "a.tef", CONTENT, [recipient_of(device)])
    size = path.stat().st_size
    if damage == "flip-last-chunk":
        flip_byte(path, size - 20)
    elif damage == "flip-header":
        flip_byte(path, 30)
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[: size - 65552])
    else:
        path.write_bytes(path.read_bytes() + b"x")
    result = inspect(str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "This file has been altered or is incomplete." in result.stderr
    assert "Problem:" in result.stdout


def test_a_file_that_is_not_tef_or_missing_is_refused(
    device: DeviceIdentity, tmp_path: Path
) -> None:
    (tmp_path / "plain.pdf").write_bytes(CONTENT)
    result = inspect(str(tmp_path / "plain.pdf"), cwd=tmp_path)
    assert result.returncode == 1
    assert "not a secure attachment" in result.stderr
    missing = inspect(str(tmp_path / "nothing.tef"), cwd=tmp_path)
    assert missing.returncode == 1
    assert "cannot be read" in missing.stderr
