"""The demo's guide for SyncEvolution testers: its commands work exactly as printed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.interop.syncevolution import missing_tools
from tests.server.server_process import REPO, ServerProcess

pytestmark = pytest.mark.interop


def guide_commands(banner: str) -> list[str]:
    """The shell commands of the numbered steps, continuation lines joined as a shell would."""
    guide = banner.split("Try it with SyncEvolution", 1)[1]
    commands = []
    for block in re.split(r"\n\d\. [^\n]*\n", guide)[1:]:
        lines = []
        for line in block.splitlines():
            if not line.startswith("  "):
                break
            lines.append(line)
        commands.append("\n".join(lines))
    return commands


def test_the_demo_guide_works_as_printed(tmp_path: Path) -> None:
    if missing_tools():
        pytest.skip(f"needs {', '.join(missing_tools())}")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "TRAVELER_DATA": str(tmp_path / "demo"), "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen(
        [str(REPO / "run"), "demo", "--port", "0"], cwd=REPO, env=env, text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    server = ServerProcess.attach(demo)
    try:
        server.started(timeout=300)  # `./run` may first have to set up .venv
        server.wait_for("Stop the server", timeout=30)
        commands = guide_commands(server.text())
        assert [c.split()[0].rsplit("/", 1)[-1] for c in commands] == [
            "run", "run", "printf", "run", "traveler-server"
        ]
        outputs = []
        for command in commands:
            # As a tester pastes them: into a shell, with their own HOME.
            done = subprocess.run(
                ["bash", "-e", "-c", command], cwd=tmp_path, capture_output=True, text=True,
                env={**os.environ, "HOME": str(home)}, timeout=300, check=False,
            )
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
            outputs.append(done.stdout)
        listing = outputs[-1].splitlines()[1:]  # without the header
        assert any("Added in SyncEvolution" in line for line in listing)
        # The client holds exactly what the server lists: the demo tasks and the added one.
        assert len(list((home / "traveler-demo-todo").iterdir())) == len(listing)
    finally:
        demo.send_signal(signal.SIGTERM)
        server.finish()
    out = server.text()
    assert "Traceback" not in out
    assert re.search(r"mode=slow items in=0 out=\d+ ", out)
    assert "mode=two-way items in=1 out=0" in out
