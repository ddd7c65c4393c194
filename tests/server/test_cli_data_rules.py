"""Every `traveler-server` command keeps the data-folder rules, walked from the parser itself.

The rules (issue 10): a command that only reads or changes what is there says so on a data
folder that does not exist and creates nothing; ``--data ''`` is refused; ``--data`` may come
after the subcommand. The table below names every command the parser knows, and a test fails
when the parser has one the table lacks, so a new command cannot slip past the rules.
Each case runs ``python -m server.cli`` as a real process, with the default data folder
($XDG_DATA_HOME/traveler-server) pointed at a folder that must never appear.
"""

from __future__ import annotations

import argparse
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.cli import CHANGE, NONE, READ, WRITE, build_parser
from tests.server.server_process import REPO, server_env

PASSWORD = "correct-horse-battery"
MAIL = b"From: bob@example.com\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\nHello.\r\n"
CSV = "name,app_id,os,version\nDocument Viewer,org.gnome.Evince.desktop,linux,42.0\n"


@dataclass(frozen=True)
class Case:
    """A command line (``{files}`` is a folder with a message, a CSV and a plain file), what it
    needs of the data folder, and its exit status on a folder holding the user alice."""

    args: tuple[str, ...]
    needs: str
    status: int
    stdin: str | None = None


# Keyed by the subcommand path. 192.0.2.1 (TEST-NET) is no address of this machine: `run`
# opens its data folder and log, then fails to listen, and exits.
CASES: dict[tuple[str, ...], Case] = {
    ("run",): Case(("--host", "192.0.2.1", "--port", "0"), WRITE, 1),
    ("user", "add"): Case(("bob", "--email", "bob@example.com", "--password-stdin"), WRITE, 0,
                          PASSWORD + "\n"),
    ("user", "list"): Case((), READ, 0),
    ("user", "remove"): Case(("alice", "--yes"), CHANGE, 0),
    ("user", "passwd"): Case(("alice", "--password-stdin"), CHANGE, 0, PASSWORD + "!\n"),
    ("user", "disable"): Case(("alice", "--reason", "left"), CHANGE, 0),
    ("user", "enable"): Case(("alice",), CHANGE, 0),
    ("device", "list"): Case((), READ, 0),
    ("device", "remove"): Case(("phone-1",), CHANGE, 1),
    ("device", "revoke"): Case(("alice", "phone-1"), CHANGE, 1),
    ("task", "list"): Case(("--user", "alice"), READ, 0),
    ("mail", "deliver"): Case(("alice", "{files}/in.eml"), CHANGE, 0),
    ("mail", "list"): Case(("--user", "alice"), READ, 0),
    ("mail", "quarantine", "list"): Case((), READ, 0),
    ("mail", "quarantine", "show"): Case(("1",), READ, 1),
    ("mail", "quarantine", "delete"): Case(("1",), CHANGE, 1),
    ("mail", "queue"): Case((), READ, 0),
    ("mail", "handoffs"): Case((), READ, 0),
    ("policy", "show"): Case((), READ, 0),
    ("policy", "set"): Case(("--view-only", "on"), WRITE, 0),
    ("app", "add"): Case(("Viewer", "--id", "org.example.Viewer.desktop", "--os", "linux"),
                         WRITE, 0),
    ("app", "list"): Case((), READ, 0),
    ("app", "remove"): Case(("org.example.Viewer.desktop",), CHANGE, 1),
    ("app", "import"): Case(("{files}/apps.csv",), WRITE, 0),
    ("tef", "encrypt"): Case(("--user", "alice", "{files}/report.txt"), CHANGE, 1),
    ("config", "show"): Case((), READ, 0),
    ("config", "docs"): Case((), NONE, 0),
}


def leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
    tuple[tuple[str, ...], argparse.ArgumentParser]
]:
    """Every command the parser runs, by its subcommand path."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from leaves(sub, (*path, name))
            return
    yield path, parser


PARSER_LEAVES = dict(leaves(build_parser()))


def test_the_table_names_every_command_the_parser_knows() -> None:
    assert sorted(PARSER_LEAVES) == sorted(CASES)
    for path, sub in PARSER_LEAVES.items():
        assert sub.get_default("needs_data") == CASES[path].needs, path


class Runner:
    """Runs the CLI with a private default data folder that no case may create."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.default = root / "xdg" / "traveler-server"
        self.files = root / "files"
        self.files.mkdir()
        (self.files / "in.eml").write_bytes(MAIL)
        (self.files / "apps.csv").write_text(CSV)
        (self.files / "report.txt").write_text("quarterly figures\n")
        self.env = server_env(XDG_DATA_HOME=str(root / "xdg"))

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = [a.replace("{files}", str(self.files)) for a in args]
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *argv], cwd=REPO, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=120, check=False,
        )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the user alice (copied for each case that changes it)."""
    root = tmp_path_factory.mktemp("template")
    runner = Runner(root)
    folder = root / "data"
    done = runner.run("--data", str(folder), "user", "add", "alice", "--email",
                      "alice@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.parametrize("path", sorted(CASES), ids=" ".join)
def test_every_command_keeps_the_data_folder_rules(
    path: tuple[str, ...], tmp_path: Path, template: Path
) -> None:
    case = CASES[path]
    runner = Runner(tmp_path)
    missing = tmp_path / "no" / "such"
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    populated = tmp_path / "data"
    shutil.copytree(template, populated)
    command = (*path, *case.args)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return runner.run(*args, stdin=case.stdin)

    # The five runs are independent processes: start them together.
    with ThreadPoolExecutor(max_workers=5) as pool:
        on_missing = pool.submit(run, "--data", str(missing), *command)
        on_empty = pool.submit(run, "--data", str(empty), *command)
        empty_before = pool.submit(run, "--data", "", *command)
        empty_after = pool.submit(run, *command, "--data", "")
        after = pool.submit(run, *command, "--data", str(populated))

    # --data '' is refused as bad usage wherever it stands (it would mean the current folder).
    for refused in (empty_before.result(), empty_after.result()):
        assert refused.returncode == 2, refused.stderr
        assert "--data: is empty" in refused.stderr

    # --data after the subcommand is the folder used: the populated one, not the default.
    done = after.result()
    assert done.returncode == case.status, done.stdout + done.stderr
    assert "unrecognized arguments" not in done.stderr
    if path == ("run",):
        assert (populated / "traveler.log").exists()  # it opened this folder's log
    if path == ("user", "list"):
        assert "alice@example.com" in done.stdout

    done = on_missing.result()
    if case.needs in (READ, CHANGE):
        consequence = "nothing to show" if case.needs == READ else "nothing to change"
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stderr.strip() == (
            f"traveler-server: error: the data folder {missing} does not exist; {consequence} "
            "(give the right one with --data, or add a user first to create it)"
        )
        assert not (tmp_path / "no").exists()
    elif case.needs == WRITE:
        # A command that sets something up makes a new, private folder.
        assert done.returncode == case.status, done.stdout + done.stderr
        assert stat.S_IMODE(missing.stat().st_mode) == 0o700
    else:
        assert done.returncode == 0, done.stderr
        assert not (tmp_path / "no").exists()

    done = on_empty.result()
    if case.needs == CHANGE:
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stderr.strip() == (
            f"traveler-server: error: the data folder {empty} holds no database yet; nothing "
            "to change (give the right one with --data, or add a user first)"
        )
    if case.needs in (READ, CHANGE, NONE):
        assert list(empty.iterdir()) == [], done.stdout + done.stderr
    assert not runner.default.exists()
