"""A built wheel, installed (not editable) into a fresh virtualenv, finds every resource: the
icons load, the German catalogues load, ``install-desktop`` installs the desktop entries, the
MIME type, the icon and the AppStream description. Run from outside the source tree, so
nothing can be found relative to it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "traveler_resources"
# What pyproject.toml's [tool.setuptools.packages.find] includes.
PACKAGES = ("syncml", "tef", "server", "todo", "companion", "traveler_resources")

# Runs in the installed venv, in a folder outside the source tree, under a German locale.
CHECK = r"""
import json, sys
from pathlib import Path

import companion, todo, traveler_resources
from PySide6.QtCore import QLocale
from todo.ui.app import make_application
from companion.ui.app import install_translators

app = make_application([])  # the window icon and the system locale's translations
icon = app.windowIcon()


def drawn(size):
    image = icon.pixmap(size, size).toImage()
    return not image.isNull() and image.pixelColor(size // 2, size // 2).alpha() > 0


companion_translators = install_translators(app, QLocale(QLocale.Language.German))
print(json.dumps({
    "modules": [m.__file__ for m in (companion, todo, traveler_resources)],
    "translations": sorted(p.name for p in traveler_resources.folder("translations").iterdir()),
    # Drawn at each size, with pixels (a missing file draws an empty icon).
    "icon_drawn": [drawn(size) for size in traveler_resources.ICON_SIZES],
    "todo_de": app.translate("TodoWindow", "%n todo(s)", None, 3),
    "sign_in_de": app.translate("SignInDialog", "Sign in to your Traveler server"),
    "companion_translators": len(companion_translators),
}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv holding the wheel of this tree; its dependencies come from the test venv's
    site-packages through a .pth line (no network, no second PySide6 install)."""
    tmp = tmp_path_factory.mktemp("packaging")
    # Built from a copy: building in place would leave build/ and *.egg-info in the tree.
    tree = tmp / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tree / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(tree)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("traveler_desktop-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    # A plain path line: the test venv's own .pth files (the editable install's finder that
    # maps our packages to the source tree) are not run, so only the wheel's copies import.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    yield venv


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LC_", "XDG_"))}
    env.pop("LANGUAGE", None)
    env.pop("VIRTUAL_ENV", None)
    return {
        **env,
        "LANG": "de_DE.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_DIRS": str(tmp / "none"),
        "XDG_RUNTIME_DIR": str(tmp),
        "HOME": str(tmp),
    }


def test_the_installed_apps_find_icons_and_translations(installed: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [str(installed / "bin" / "python"), "-c", CHECK],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.splitlines()[-1])
    for module in found["modules"]:
        assert Path(module).is_relative_to(installed), f"{module} is not the installed copy"
    # The compiled catalogues are installed, their sources are not.
    assert found["translations"] == [
        "companion_de.qm", "companion_en.qm", "traveler_de.qm", "traveler_en.qm",
    ]  # fmt: skip
    assert found["icon_drawn"] == [True] * 6
    assert found["todo_de"] == "3 Aufgaben"
    assert found["sign_in_de"] == "Bei Ihrem Traveler-Server anmelden"
    assert found["companion_translators"] >= 1


def test_install_desktop_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    bin_dir = installed / "bin"
    run = subprocess.run(
        [str(bin_dir / "traveler-companion"), "install-desktop"],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    data = tmp_path / "data"
    applications = data / "applications"
    companion = (applications / "traveler-companion.desktop").read_text()
    todo = (applications / "traveler-todo.desktop").read_text()
    assert f'Exec="{bin_dir / "traveler-companion"}" %f' in companion.splitlines()
    assert f'Exec="{bin_dir / "traveler-todo"}"' in todo.splitlines()
    assert f"TryExec={bin_dir / 'traveler-todo'}" in todo.splitlines()
    assert (data / "mime" / "packages" / "traveler-tef.xml").read_bytes() == (
        SOURCE / "mime" / "traveler-tef.xml"
    ).read_bytes()
    hicolor = data / "icons" / "hicolor"
    assert (hicolor / "scalable" / "apps" / "traveler-todo.svg").read_bytes() == (
        SOURCE / "icons" / "traveler-todo.svg"
    ).read_bytes()
    for size in (16, 32, 48, 64, 128, 256):
        assert (hicolor / f"{size}x{size}" / "apps" / "traveler-todo.png").read_bytes() == (
            SOURCE / "icons" / f"traveler-todo-{size}.png"
        ).read_bytes()
    assert (data / "metainfo" / "traveler-todo.metainfo.xml").exists()
    assert "application/vnd.traveler.tef=traveler-companion.desktop" in (
        tmp_path / "config" / "mimeapps.list"
    ).read_text()
    validate = subprocess.run(
        ["desktop-file-validate", str(applications / "traveler-companion.desktop"),
         str(applications / "traveler-todo.desktop")],
        capture_output=True, text=True, check=False,
    ) if Path("/usr/bin/desktop-file-validate").exists() else None  # fmt: skip
    if validate is not None:
        assert validate.returncode == 0, validate.stdout + validate.stderr


def test_resources_inside_a_zip_archive_are_found(tmp_path: Path) -> None:
    """A zipped install (zipapp, zipimport): folders Qt needs as paths are copied out."""
    archive = tmp_path / "resources.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in SOURCE.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                out.write(path, path.relative_to(ROOT))
    script = (
        "import json, traveler_resources as r;"
        "icons = r.folder('icons');"
        "print(json.dumps([r.__file__, sorted(p.name for p in icons.iterdir()),"
        " r.resource('mime', 'traveler-tef.xml').read_text()[:5], str(icons)]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(archive)}, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    module, icons, xml, folder = json.loads(run.stdout)
    assert module.startswith(str(archive))
    assert "traveler-todo.svg" in icons and "traveler-todo-256.png" in icons
    assert xml == "<?xml"
    assert not Path(folder).exists(), "the copied folder is removed at exit"
