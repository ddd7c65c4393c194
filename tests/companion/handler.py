"""A stand-in application: records the file it was opened with, waits to be let go.

usage: handler.py REPORT FILE — writes REPORT (JSON: path, sha256, file and folder modes),
then waits until REPORT.release exists, then exits.
"""

import hashlib
import json
import os
import stat
import sys
import time

report, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as source:
    digest = hashlib.sha256(source.read()).hexdigest()
info = {
    "path": path,
    "sha256": digest,
    "file_mode": stat.S_IMODE(os.stat(path).st_mode),
    "folder_mode": stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode),
}
with open(report + ".tmp", "w") as out:
    json.dump(info, out)
os.replace(report + ".tmp", report)
deadline = time.monotonic() + 60
while not os.path.exists(report + ".release") and time.monotonic() < deadline:
    time.sleep(0.02)
