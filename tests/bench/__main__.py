"""python -m tests.bench: our SyncML server against SyncEvolution's, same client, same run.

Scenarios per server: a slow sync of N tasks up from a fresh client to a fresh server for each
size, then a two-way sync of one changed task among the largest N. The time is the wall time of
the client's sync process. It prints a table with the ratio ours/theirs (target <= 0.5) and
writes JSON under tests/bench/results/. It never fails on time; a server that does not work
gets FAILED cells and the run goes on.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from tests.bench import client_down
from tests.bench.peers import peer_specs
from tests.bench.report import print_table, write_json
from tests.bench.scenarios import Measurement, run_peer
from tests.interop.syncevolution import ensure_curl_preload, missing_tools

QUICK_SIZES = [100, 500]
DEFAULT_SIZES = [2000, 10000]


def _sizes(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are positive integers, e.g. 2000,10000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="item counts, comma separated (default 2000,10000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"small sizes ({','.join(map(str, QUICK_SIZES))}) for a smoke run",
    )
    parser.add_argument(
        "--peers",
        default="ours,theirs",
        help="which servers to run: ours, theirs or both (default)",
    )
    parser.add_argument(
        "--stock",
        action="store_true",
        help="keep SyncEvolution's per-sync database dumps and change listings "
        "on (client and its server); off by default so both servers do "
        "the same work",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="seconds before a sync process is killed (default 900)",
    )
    parser.add_argument(
        "--no-client",
        action="store_true",
        help="skip the client benchmark (our client vs SyncEvolution's, a slow sync down of "
        "the largest size)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    wanted = {p.strip() for p in args.peers.split(",")}

    missing = missing_tools()
    if missing:
        print(f"cannot benchmark: {', '.join(missing)} not installed", file=sys.stderr)
        return 2
    ensure_curl_preload()

    workdir = Path(tempfile.mkdtemp(prefix="traveler-bench-"))
    results: list[Measurement] = []
    try:
        for spec in peer_specs(lean=not args.stock):
            if spec.key not in wanted:
                continue
            print(f"{spec.label} ({spec.key}): sizes {sizes}", flush=True)
            results += run_peer(spec, sizes, workdir, timeout=args.timeout)
        client_runs = [] if args.no_client else client_down.measure(max(sizes),
                                                                    workdir / "client")
    finally:
        if args.keep:
            print(f"working directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print_table(results)
    if client_runs:
        client_down.print_runs(client_runs)
    path = write_json(
        results,
        {"sizes": sizes, "peers": sorted(wanted), "lean": not args.stock, "timeout": args.timeout},
    )
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
