"""`provisioning staff --pin-stdin` at a terminal: it asks for the PIN (Chinese first), twice,
without echoing it, and says when the two differ; from a pipe it reads the first line as
before. The command runs on a real pseudo-terminal, as an administrator's shell gives it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import select as sql_select

from queue_server.db.models import Staff
from tests.procs import ROOT, load_test_hall


def _pin_hash(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sql_select(Staff.pin_hash).where(Staff.id == "s001",
                                                                 Staff.hall == "t1")).scalar()
    finally:
        engine.dispose()


PROMPTS = ("s001 的新密码 / new PIN for s001: ".encode(), "再输入一次 / the same PIN again: ".encode())


def _at_a_terminal(url: str, typed: list[bytes]) -> tuple[int, str, bytes]:
    """Run the command with a pseudo-terminal as its standard input; type each of `typed`
    once its prompt is shown (typed before, it would be echoed, then flushed as the echo is
    turned off). Answers (exit code, stderr, what the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "provisioning", "staff", "--db", url, "--id", "s001",
         "--pin-stdin", "--hall", "t1"], cwd=ROOT, stdin=slave, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True)  # no controlling terminal: getpass
    os.close(slave)                                       # uses standard input's
    assert proc.stderr is not None
    err, screen, errors = b"", b"", proc.stderr.fileno()
    try:
        for prompt, answer in zip(PROMPTS, typed, strict=True):
            deadline = time.monotonic() + 30
            while prompt not in err:
                ready, _, _ = select.select([errors, master], [], [], 1)
                assert time.monotonic() < deadline, (err, screen)
                if errors in ready:
                    err += os.read(errors, 4096)
                if master in ready:
                    screen += os.read(master, 4096)
            os.write(master, answer + b"\n")
        _, rest = proc.communicate(timeout=60)
        while select.select([master], [], [], 0.2)[0]:
            screen += os.read(master, 4096)
    except OSError:  # the terminal closed with the process: nothing more was shown
        pass
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    return proc.returncode, (err + rest).decode(), screen


def test_the_pin_is_asked_twice_and_never_shown(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url)
    code, err, screen = _at_a_terminal(url, [b"8642", b"8642"])
    assert code == 0, err
    assert b"8642" not in screen and "8642" not in err  # not echoed
    assert "已设置 s001 的密码" in err and _pin_hash(url)


def test_two_different_pins_change_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url)
    code, err, screen = _at_a_terminal(url, [b"8642", b"8643"])
    assert code == 2, err
    assert err.strip().splitlines()[-1] == (
        "provisioning staff: 两次输入的密码不一致,密码未改;请重新运行 / the two PINs differ: "
        "nothing changed, run the command again")
    assert b"864" not in screen and _pin_hash(url) is None


def test_a_pipe_still_gives_the_first_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url)
    done = subprocess.run([sys.executable, "-m", "provisioning", "staff", "--db", url, "--id",
                           "s001", "--pin-stdin", "--hall", "t1"], cwd=ROOT, input="8642\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "新密码" not in done.stderr, done.stderr
    assert _pin_hash(url)
