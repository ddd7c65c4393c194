"""Which applications a file may go to, and the private folder its decrypted copy lives in."""

from __future__ import annotations

import io
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

import tef
from companion.hand_off import (
    ApprovedApp,
    HandOffFolder,
    HandOffRefused,
    exec_argv,
    hand_off_choices,
    handlers_for,
    installed_apps,
)
from tests.companion.desktop_apps import install_app

PDF = "application/pdf"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    # No system applications: the tests see exactly the ones they install.
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "no-system-data"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "no-system-config"))
    install_app(home, "org.example.Approved.desktop", "Approved Viewer", [PDF], version="3.2")
    install_app(home, "org.example.Old.desktop", "Old Viewer", [PDF], version="1.0")
    install_app(home, "org.example.Other.desktop", "Other Viewer", [PDF])
    install_app(home, "org.example.Images.desktop", "Image Viewer", ["image/png"])
    return home


def metadata(policy: tef.Policy, mime_type: str = PDF) -> tef.Metadata:
    return tef.Metadata(
        name="report.pdf",
        mime_type=mime_type,
        size=1,
        created=datetime(2026, 1, 1, tzinfo=UTC),
        policy=policy,
    )


APPROVED = [
    ApprovedApp("Approved Viewer", "org.example.Approved.desktop", "Linux", "3.0"),
    ApprovedApp("Old Viewer", "org.example.Old.desktop", "Linux", "2.0"),
    ApprovedApp("Windows only", "org.example.Other.desktop", "Windows"),
]
ONLY_APPROVED = tef.Policy(
    approved_apps_only=True,
    allowed_apps=(
        "org.example.Approved.desktop",
        "org.example.Old.desktop",
        "org.example.Other.desktop",
    ),
)


def names(apps: list) -> list[str]:  # type: ignore[type-arg]
    return [app.name for app in apps]


def test_without_an_approved_apps_policy_any_handler_of_the_type_is_offered(
    data_home: Path,
) -> None:
    choices = hand_off_choices(metadata(tef.Policy()), installed_apps())
    assert names(choices) == ["Approved Viewer", "Old Viewer", "Other Viewer"]


def test_approved_apps_need_this_os_and_at_least_the_required_version(data_home: Path) -> None:
    choices = hand_off_choices(metadata(ONLY_APPROVED), installed_apps(), APPROVED)
    # Old Viewer is 1.0 (< 2.0); Other Viewer is approved for Windows only.
    assert names(choices) == ["Approved Viewer"]


def test_without_the_server_list_the_file_policy_ids_decide(data_home: Path) -> None:
    policy = tef.Policy(approved_apps_only=True, allowed_apps=("org.example.Other.desktop",))
    assert names(hand_off_choices(metadata(policy), installed_apps())) == ["Other Viewer"]


def test_view_only_and_an_empty_approved_list_refuse_hand_off(data_home: Path) -> None:
    with pytest.raises(HandOffRefused):
        hand_off_choices(metadata(tef.Policy(view_only=True)), installed_apps())
    with pytest.raises(HandOffRefused):
        hand_off_choices(metadata(tef.Policy(approved_apps_only=True)), installed_apps())


def test_mimeapps_list_orders_defaults_first_and_removes_associations(
    data_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "mimeapps.list").write_text(
        "[Default Applications]\napplication/pdf=org.example.Other.desktop\n"
        "[Added Associations]\napplication/pdf=org.example.Images.desktop;\n"
        "[Removed Associations]\napplication/pdf=org.example.Old.desktop;\n"
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    assert names(handlers_for(PDF, installed_apps())) == [
        "Other Viewer",
        "Image Viewer",
        "Approved Viewer",
    ]


def test_exec_line_field_codes() -> None:
    apps = installed_apps([Path(__file__).parent / "no-such-dir"])
    assert apps == {}
    from companion.hand_off import DesktopApp

    app = DesktopApp("a.desktop", "A", "viewer --name=%c %U --icon %i 100%%", (), Path("a"), None)
    path = Path("/run/user/1/x y.pdf")
    assert exec_argv(app, path) == ["viewer", "--name=", path.as_uri(), "--icon", "100%"]
    bare = DesktopApp("b.desktop", "B", "'my viewer'", (), Path("b"), None)
    assert exec_argv(bare, path) == ["my viewer", str(path)]


def test_decrypted_copies_live_in_a_private_folder_and_are_removed(tmp_path: Path) -> None:
    (tmp_path / "runtime").mkdir(mode=0o700)
    folder = HandOffFolder(tmp_path / "runtime" / "traveler-companion")
    copy = folder.write_copy("report.pdf", io.BytesIO(b"secret"))
    assert copy.read_bytes() == b"secret"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    for directory in (copy.parent, folder.folder, folder.root):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    second = folder.write_copy("report.pdf", io.BytesIO(b"other"))
    assert second != copy  # two hand-offs of the same name do not clash
    folder.remove(copy)
    assert not copy.exists() and second.exists()
    folder.remove_all()
    assert not folder.folder.exists()


def test_folders_of_dead_processes_are_swept_at_start(tmp_path: Path) -> None:
    root = tmp_path / "traveler-companion"
    stale = root / "999999999"
    stale.mkdir(parents=True)
    (stale / "left-over.pdf").write_bytes(b"x")
    live = root / str(os.getppid())
    live.mkdir()
    HandOffFolder(root).remove_stale()
    assert not stale.exists()
    assert live.exists()
