"""``traveler-todo``: commands, JSON output and exit codes, as a script sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

from todo.cli import Exit, main
from todo.store import Change, TodoStore, store_path
from todo.task import Task


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRAVELER_HOME", str(tmp_path))
    monkeypatch.delenv("TRAVELER_ACCOUNT", raising=False)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    return tmp_path


def confirm(store: TodoStore, change: Change) -> None:
    store.confirm(change.todo_id, change.seq)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    code, out, _ = run(capsys, "list", "--json", *argv)
    assert code == Exit.OK
    result = json.loads(out)
    assert isinstance(result, list)
    return result


def test_add_list_done_round(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "add", "Call Frank tomorrow 9:00 !high #Renovation", "--json")
    assert code == Exit.OK
    added = json.loads(out)
    assert added["subject"] == "Call Frank" and added["priority"] == "high"
    assert added["categories"] == ["Renovation"] and "T09:00:00" in added["due"]

    [row] = listed(capsys)
    assert set(row) >= {
        "id", "subject", "due", "priority", "completed", "categories", "assignees", "conflict"
    }  # fmt: skip
    assert listed(capsys, "--view", "list:renovation") == [row]
    assert listed(capsys, "--view", "today") == []

    code, out, _ = run(capsys, "done", str(row["id"]))
    assert code == Exit.OK and out.startswith(f"done: {row['id']} Call Frank")
    assert listed(capsys) == []
    [done] = listed(capsys, "--view", "completed")
    assert done["completed"] is True

    code, out, _ = run(capsys, "undo")
    assert code == Exit.OK and "complete" in out
    assert listed(capsys)[0]["completed"] is False


def test_add_options_override_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "add", "Bericht morgen 17 Uhr !hoch", "--due", "2026-12-24",
        "--priority", "low", "--list", "Arbeit", "--assign", "frank", "--json",
    )  # fmt: skip
    assert code == Exit.OK
    row = json.loads(out)
    assert (row["due"], row["priority"], row["categories"]) == ("2026-12-24", "low", ["Arbeit"])
    assert row["assignees"] == [{"email": "frank", "name": "", "partstat": "NEEDS-ACTION"}]
    data = TodoStore.open(store_path("local")).get(row["id"]).data
    todo = icalendar.Calendar.from_ical(data).walk("VTODO")[0]
    assert "frank" in str(todo["ATTENDEE"]) and "ORGANIZER" in todo


def test_recurring_done_prints_the_next(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "add", "Standup every monday")
    code, out, _ = run(capsys, "done", "1")
    assert code == Exit.OK and "next: 2 Standup due" in out
    assert listed(capsys)[0]["recurring"] is True


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["done", "42"], Exit.NO_SUCH_TODO, "there is no todo 42"),
        (["restore", "42"], Exit.NO_SUCH_TODO, "there is no todo 42"),
        (["list", "--view", "someday"], Exit.USAGE, "unknown view"),
        (["frobnicate"], Exit.USAGE, "invalid choice"),
        ([], Exit.USAGE, "a command is needed"),
        (["undo"], Exit.NOTHING_TO_DO, "nothing to undo"),
        (["add", "x", "--due", "whenever"], Exit.BAD_INPUT, "not a date"),
        (["add", "tomorrow !high"], Exit.BAD_INPUT, "no subject"),
        (["import", "/nonexistent.ics"], Exit.BAD_INPUT, "cannot read"),
    ],
)
def test_errors_have_their_exit_codes(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: Exit, message: str
) -> None:
    result, _out, err = run(capsys, *argv)
    assert result == code
    assert message in err and err.count("traveler-todo: error:") == 1


def test_restore_without_conflict_is_nothing_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "add", "x")
    code, _, err = run(capsys, "restore", "1")
    assert code == Exit.NOTHING_TO_DO and "no overridden version" in err


def test_conflict_marker_and_restore(capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import replace

    from todo.task_format import format_task

    with TodoStore.open(store_path("local")) as store:
        todo_id = store.add(Task(uid="", summary="Mine"))
        confirm(store, store.pending_changes()[0])
        store.update(todo_id, summary="Mine, edited")
        record = store.get(todo_id)
        theirs = format_task(replace(record.task, summary="Theirs"), template=record.data)
        store.apply_remote(theirs)
    [row] = listed(capsys)
    assert row["conflict"] is True and row["subject"] == "Theirs"
    code, out, _ = run(capsys, "list")
    assert "changed on another device" in out
    code, out, _ = run(capsys, "restore", str(todo_id), "--json")
    assert code == Exit.OK and json.loads(out)["subject"] == "Mine, edited"
    assert listed(capsys)[0]["conflict"] is False


def test_import_export_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "tasks.ics"
    source.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Tasks.org//EN\nBEGIN:VTODO\nUID:a\n"
        "SUMMARY:From Tasks.org\nX-APPLE-SORT-ORDER:12\nEND:VTODO\nEND:VCALENDAR\n"
    )
    code, out, _ = run(capsys, "import", str(source))
    assert code == Exit.OK and "imported 1 todos" in out
    target = tmp_path / "out.ics"
    code, out, _ = run(capsys, "export", str(target))
    assert code == Exit.OK
    assert "X-APPLE-SORT-ORDER:12" in target.read_text()
    code, out, _ = run(capsys, "export")
    assert "SUMMARY:From Tasks.org" in out
    bad = tmp_path / "bad.ics"
    bad.write_text("BEGIN:VCALENDAR\nBEGIN:VTODO\nSUMMARY:x\n")
    code, _, err = run(capsys, "import", str(bad))
    assert code == Exit.BAD_INPUT and "bad.ics" in err
    assert len(listed(capsys)) == 1  # nothing of the bad file was added


def add_account(home: Path, user: str, display_name: str | None = None) -> str:
    from companion.accounts import AccountStore
    from companion.secret_store import SecretStore
    from tests.companion.memory_keyring import MemoryKeyring

    accounts = AccountStore(home, SecretStore(MemoryKeyring()))
    account = accounts.add(
        server_url="http://127.0.0.1:9/traveler",
        user=user,
        password="pw-" + user,
        token=None,
        email=f"{user}@example.com",
        display_name=display_name,
    )
    return account.id


def test_accounts_have_separate_stores(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    run(capsys, "add", "Before any account")
    alice = add_account(home, "alice")  # the first account: the default one
    frank = add_account(home, "frank", display_name="Frank Adams")
    # the todos kept without an account became the first account's
    assert [r["subject"] for r in listed(capsys)] == ["Before any account"]
    run(capsys, "--account", "frank", "add", "Frank's", "--assign", "alice")
    code, out, _ = run(capsys, "--account", frank, "list", "--json")
    [row] = json.loads(out)
    assert row["subject"] == "Frank's" and row["organizer"] == "frank@example.com"
    # the assignee's app names who delegated it from the todo's ORGANIZER
    code, out, _ = run(capsys, "--account", frank, "export")
    assert 'ORGANIZER;CN="Frank Adams":mailto:frank@example.com' in out
    code, out, _ = run(capsys, "--account", alice, "list", "--json")
    assert [r["subject"] for r in json.loads(out)] == ["Before any account"]
    code, _, err = run(capsys, "--account", "nobody", "list")
    assert code == Exit.NO_ACCOUNT and "there is no account 'nobody'" in err


def test_sync_without_an_account_says_how_to_add_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sync")
    assert code == Exit.NO_ACCOUNT
    assert "traveler-companion account add" in err


def test_the_console_script_exits_with_the_documented_codes(home: Path) -> None:
    env = {**os.environ, "TRAVELER_HOME": str(home)}
    script = Path(sys.executable).parent / "traveler-todo"
    ok = subprocess.run([script, "add", "x"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("added:")
    missing = subprocess.run([script, "done", "9"], env=env, capture_output=True, text=True)
    assert missing.returncode == Exit.NO_SUCH_TODO
    assert missing.stderr == "traveler-todo: error: there is no todo 9\n"
