"""Run inside `unshare -m` (a private mount namespace) by test_system_storage.py: mount a small
tmpfs at DIR, provision the system hall's SQLite file on it, write the terminals' tokens to
TOKENS (outside the tmpfs), then become `python -m queue_server` on PORT. Nothing outside this
namespace sees the mount; the test reaches it with `nsenter --target PID --mount` to fill the
disk and free it again. Usage: tmpfs_server.py DIR SIZE TOKENS PORT [server args...]"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    folder, size, tokens, port, *extra = sys.argv[1:]
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder], check=True)
    sys.path.insert(0, str(ROOT))
    from tests.system.conftest import provision

    db_url = f"sqlite:///{folder}/hall.db"
    hall = provision(db_url, Path(folder), "sys1", counters=2)
    Path(tokens).write_text(json.dumps({"kiosk": hall.kiosk, "display": hall.display,
                                        "counters": hall.counter_terminals}))
    os.execv(sys.executable, [sys.executable, "-m", "queue_server", "--db", db_url, "--host",
                              "127.0.0.1", "--port", port, "--no-zeroconf", *extra])


if __name__ == "__main__":
    main()
