"""Print the comparison table and write the JSON record of a benchmark run."""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.scenarios import Measurement

TARGET_RATIO = 0.5  # ours should take at most half of SyncEvolution's server's time
RESULTS_DIR = Path(__file__).with_name("results")


def _ratio(ours: Measurement | None, theirs: Measurement | None) -> float | None:
    if ours and theirs and ours.ok and theirs.ok and ours.seconds and theirs.seconds:
        return ours.seconds / theirs.seconds
    return None


def rows(results: list[Measurement]) -> list[dict[str, object]]:
    by_key = {(m.peer, m.scenario): m for m in results}
    scenarios = list(dict.fromkeys(m.scenario for m in results))
    table: list[dict[str, object]] = []
    for scenario in scenarios:
        ours, theirs = by_key.get(("ours", scenario)), by_key.get(("theirs", scenario))
        ratio = _ratio(ours, theirs)
        table.append(
            {
                "scenario": scenario,
                "ours_seconds": ours.seconds if ours and ours.ok else None,
                "theirs_seconds": theirs.seconds if theirs and theirs.ok else None,
                "ratio": round(ratio, 3) if ratio is not None else None,
                "meets_target": ratio is not None and ratio <= TARGET_RATIO,
            }
        )
    return table


def _cell(m: Measurement | None) -> str:
    if m is None:
        return "-"
    return f"{m.seconds:.2f}" if m.ok and m.seconds is not None else "FAILED"


def print_table(results: list[Measurement]) -> None:
    by_key = {(m.peer, m.scenario): m for m in results}
    print()
    print(
        f"{'scenario':22} {'ours s':>10} {'theirs s':>10} {'ours/theirs':>12}  "
        f"target <= {TARGET_RATIO}"
    )
    for row in rows(results):
        scenario = str(row["scenario"])
        ratio = row["ratio"]
        verdict = "" if ratio is None else ("ok" if row["meets_target"] else "slower than target")
        print(
            f"{scenario:22} {_cell(by_key.get(('ours', scenario))):>10} "
            f"{_cell(by_key.get(('theirs', scenario))):>10} "
            f"{'-' if ratio is None else f'{ratio:.2f}':>12}  {verdict}"
        )
    failures = [m for m in results if not m.ok]
    if failures:
        print("\nfailures:")
        for m in failures:
            print(f"  {m.peer} {m.scenario}: {m.error[:600]}")


def _syncevolution_version() -> str:
    try:
        out = subprocess.run(
            ["syncevolution", "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except OSError:
        return "missing"
    return out.strip().splitlines()[-1] if out.strip() else "unknown"


def write_json(results: list[Measurement], settings: dict[str, object]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC)
    path = RESULTS_DIR / f"bench-{stamp:%Y%m%dT%H%M%SZ}.json"
    record = {
        "time": stamp.isoformat(),
        "host": {
            "node": platform.node(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "syncevolution": _syncevolution_version(),
        },
        "settings": settings,
        "target_ratio": TARGET_RATIO,
        "measurements": [m.as_json() for m in results],
        "comparison": rows(results),
    }
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path
