"""python -m tests.bench.tef_throughput: TEF encrypt and decrypt through the CLIs.

Ours: `traveler-server tef encrypt --user NAME FILE -o OUT.tef` (encrypt) and
`traveler-companion inspect OUT.tef` (decrypt and authenticate every chunk, no plaintext
written), each a separate process timed by wall clock. The peer, in the same run over the same
bytes: a process that reads the same file, encrypts (or decrypts) it with ONE call of
cryptography's AES-256-GCM, and writes the result (encrypt) or drops it (decrypt). Ratio =
peer time / our time (higher is better; the target is >= 0.70). Then the peak memory (max RSS
of each process) of ours on a larger file, which must stay flat (< 100 MB).

Where `traveler-server tef encrypt` is not there (an older server), encryption goes through
`tef.encrypt` in a plain driver process instead, and the table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024
PASSWORD = "bench-password-1"
PEER = r"""
import sys, time
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
mode, source, target = sys.argv[1:4]
data = open(source, "rb").read()
aead = AESGCM(bytes(32))
nonce = bytes(12)
if mode == "encrypt":
    out = aead.encrypt(nonce, data, None)
    with open(target, "wb") as f:
        f.write(out)
else:
    aead.decrypt(nonce, data, None)
"""
DRIVER = r"""
import base64, io, sys
from datetime import UTC, datetime
from pathlib import Path
import tef
from companion.device import load_device
device = load_device()
source, target = Path(sys.argv[1]), Path(sys.argv[2])
metadata = tef.Metadata(name=source.name, mime_type="application/octet-stream",
                        size=source.stat().st_size, created=datetime.now(UTC))
with source.open("rb") as plain, target.open("wb") as sealed:
    tef.encrypt(plain, sealed, [tef.Recipient(base64.b64decode(device.public_key))], metadata)
"""


@dataclass
class Run:
    seconds: float
    max_rss_mib: float


def run(argv: list[str], env: dict[str, str], stdin: bytes | None = None) -> Run:
    """Wall time and peak RSS of one process (os.wait4 gives that child's own rusage)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if stdin is not None:
        assert process.stdin is not None
        process.stdin.write(stdin)
        process.stdin.close()
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:4])}… failed ({process.returncode}): "
            f"{err.decode()[-800:]}{out.decode()[-400:]}"
        )
    return Run(elapsed, usage.ru_maxrss / 1024)


def write_random(path: Path, size: int) -> None:
    block = os.urandom(16 * MIB)
    with path.open("wb") as out:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            out.write(piece)
            left -= len(piece)


def tool(name: str) -> str:
    here = Path(sys.executable).with_name(name)
    return str(here) if here.exists() else name


def has_tef_encrypt(env: dict[str, str]) -> bool:
    result = subprocess.run(
        [tool("traveler-server"), "tef", "encrypt", "--help"], env=env, capture_output=True
    )
    return result.returncode == 0


def register_device(workdir: Path, env: dict[str, str]) -> None:
    """A user on a real server, and this (bench) device registered with it."""
    data = str(workdir / "server")
    run(
        [
            tool("traveler-server"),
            "--data",
            data,
            "user",
            "add",
            "bench",
            "--email",
            "bench@example.com",
            "--password-stdin",
        ],
        env,
        stdin=(PASSWORD + "\n").encode(),
    )
    server = subprocess.Popen(
        [tool("traveler-server"), "--data", data, "run", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    try:
        url = None
        for line in server.stdout:
            if "Server started on " in line:
                url = line.split("Server started on ", 1)[1].strip()
                break
        if url is None:
            raise RuntimeError("the server did not start")
        run(
            [
                tool("traveler-companion"),
                "account",
                "add",
                "--server",
                url,
                "--user",
                "bench",
                "--password-stdin",
            ],
            env,
            stdin=(PASSWORD + "\n").encode(),
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def pick_workdir(explicit: str | None, needed: int) -> Path:
    candidates = [Path(explicit)] if explicit else [Path("/var/tmp"), Path(tempfile.gettempdir())]
    best = max(candidates, key=lambda p: shutil.disk_usage(p).free if p.exists() else -1)
    free = shutil.disk_usage(best).free
    if free < needed:
        raise SystemExit(
            f"not enough disk: {best} has {free // MIB} MiB free, the bench needs {needed // MIB}"
        )
    return Path(tempfile.mkdtemp(prefix="tef-bench-", dir=best))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.tef_throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size-mib", type=int, default=1024, help="throughput file (1024)")
    parser.add_argument("--memory-mib", type=int, default=2048, help="memory file (2048)")
    parser.add_argument("--workdir", help="where the temporary files go (default: most free)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    size, big = args.size_mib * MIB, args.memory_mib * MIB
    workdir = pick_workdir(args.workdir, 2 * size + 2 * big + 512 * MIB)
    env = {
        **os.environ,
        "TRAVELER_HOME": str(workdir / "home"),
        "XDG_DATA_HOME": str(workdir / "xdg-data"),
        "XDG_CONFIG_HOME": str(workdir / "xdg-config"),
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
    }
    try:
        through_server = has_tef_encrypt(env)
        if through_server:
            register_device(workdir, env)

        def encrypt(source: Path, target: Path) -> Run:
            if through_server:
                return run(
                    [
                        tool("traveler-server"),
                        "--data",
                        str(workdir / "server"),
                        "tef",
                        "encrypt",
                        "--user",
                        "bench",
                        str(source),
                        "-o",
                        str(target),
                    ],
                    env,
                )
            return run([sys.executable, "-c", DRIVER, str(source), str(target)], env)

        def inspect(path: Path) -> Run:
            return run([tool("traveler-companion"), "inspect", str(path)], env)

        source = workdir / "plain.bin"
        write_random(source, size)
        sealed = workdir / "plain.bin.tef"
        rows = []
        # Peer and ours alternate, so both see the same page cache and machine load.
        ours_encrypt = encrypt(source, sealed)
        peer_encrypt = run(
            [sys.executable, "-c", PEER, "encrypt", str(source), str(workdir / "peer.bin")], env
        )
        (workdir / "peer.bin").unlink()
        ours_decrypt = inspect(sealed)
        # The peer decrypts its own single-call ciphertext of the same plaintext (same size
        # plus one tag): a single AES-GCM call cannot open the chunked TEF payload.
        peer_cipher = workdir / "peer.bin"
        run([sys.executable, "-c", PEER, "encrypt", str(source), str(peer_cipher)], env)
        peer_decrypt = run([sys.executable, "-c", PEER, "decrypt", str(peer_cipher), "-"], env)
        peer_cipher.unlink()
        label = "traveler-server tef encrypt" if through_server else "tef.encrypt driver"
        rows.append(("encrypt", label, ours_encrypt, peer_encrypt))
        rows.append(("decrypt", "traveler-companion inspect", ours_decrypt, peer_decrypt))
        source.unlink()
        sealed.unlink()

        big_source = workdir / "big.bin"
        write_random(big_source, big)
        big_sealed = workdir / "big.bin.tef"
        memory_encrypt = encrypt(big_source, big_sealed)
        big_source.unlink()
        memory_decrypt = inspect(big_sealed)

        print(
            f"\nTEF throughput, {args.size_mib} MiB, AES-256-GCM "
            "(ratio = peer time / ours; target >= 0.70)"
        )
        print(f"{'':8} {'ours':>34} {'ours s':>8} {'MiB/s':>7} {'peer s':>8} {'ratio':>6}")
        report = {}
        for what, how, ours, peer in rows:
            ratio = peer.seconds / ours.seconds
            speed = args.size_mib / ours.seconds
            print(
                f"{what:8} {how:>34} {ours.seconds:8.2f} {speed:7.0f} "
                f"{peer.seconds:8.2f} {ratio:6.2f}"
            )
            report[what] = {
                "ours": how,
                "ours_s": ours.seconds,
                "peer_s": peer.seconds,
                "ratio": ratio,
                "ours_max_rss_mib": ours.max_rss_mib,
                "peer_max_rss_mib": peer.max_rss_mib,
            }
        print(f"\nPeak memory (max RSS), {args.memory_mib} MiB file (target < 100 MB)")
        for what, measured in (("encrypt", memory_encrypt), ("decrypt", memory_decrypt)):
            print(f"{what:8} {measured.max_rss_mib:8.1f} MiB in {measured.seconds:.1f} s")
            report[f"memory_{what}"] = {
                "max_rss_mib": measured.max_rss_mib,
                "seconds": measured.seconds,
            }
        print(
            f"(peer single-call max RSS: encrypt {peer_encrypt.max_rss_mib:.0f} MiB, "
            f"decrypt {peer_decrypt.max_rss_mib:.0f} MiB for {args.size_mib} MiB)"
        )
        results = Path(__file__).parent / "results"
        results.mkdir(exist_ok=True)
        out = results / f"tef-throughput-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nresults: {out}")
    finally:
        if args.keep:
            print(f"working directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
