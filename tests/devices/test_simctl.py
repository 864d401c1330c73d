"""The control socket of the simulators: commands dispatched, errors answered (never raised),
lines split across writes, several commands on one connection, a thread that stops on close."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from devices.simctl import ControlError, Controls, ControlServer, dispatch, number, send, words


def counter_controls(seen: list[str]) -> Controls:
    def add(rest: str) -> object:
        (value,) = words(rest, 1, 1, "add N")
        seen.append(rest)
        return {"total": len(seen), "n": number(value, "add N", 0, 10)}

    def broken(rest: str) -> object:
        raise ControlError("the cover is welded shut")

    return {"add": (add, "N: add N"), "broken": (broken, "always refuses")}


def test_dispatch_answers_results_help_and_errors_without_raising() -> None:
    seen: list[str] = []
    controls = counter_controls(seen)
    assert dispatch(controls, "add 3\n") == {"ok": True, "result": {"total": 1, "n": 3.0}}
    assert dispatch(controls, "help")["result"] == {"add": "N: add N", "broken": "always refuses"}
    assert dispatch(controls, "")["ok"] is True  # an empty line is help
    unknown = dispatch(controls, "explode now")
    assert unknown["ok"] is False and "unknown command 'explode'" in str(unknown["error"])
    assert "add, broken" in str(unknown["error"])
    assert dispatch(controls, "add")["error"] == "add: expected add N"
    assert "outside 0..10" in str(dispatch(controls, "add 11")["error"])
    assert "'x' is not a number" in str(dispatch(controls, "add x")["error"])
    assert dispatch(controls, "broken")["error"] == "broken: the cover is welded shut"
    assert seen == ["3", "11", "x"]  # handlers ran; the bad values were refused inside them


def test_a_threaded_server_answers_clients_until_closed(tmp_path: Path) -> None:
    path = str(tmp_path / "ctl.sock")
    seen: list[str] = []
    lock = threading.Lock()
    server = ControlServer(path, counter_controls(seen), lock).start()
    try:
        assert send(path, "add 1") == {"ok": True, "result": {"total": 1, "n": 1.0}}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(5)
            conn.connect(path)
            conn.sendall(b"ad")  # a line in pieces, then two lines in one write
            conn.sendall(b"d 2\nadd 3\nnonsense\n")
            answers = _lines(conn, 3)
        assert [a["ok"] for a in answers] == [True, True, False]
        assert answers[1]["result"] == {"total": 3, "n": 3.0}
        assert not lock.locked()
    finally:
        server.close()
    assert not Path(path).exists()
    with pytest.raises(OSError):
        send(path, "add 1", timeout=1)


def test_an_overlong_line_is_refused_and_the_connection_closed(tmp_path: Path) -> None:
    path = str(tmp_path / "ctl.sock")
    server = ControlServer(path, counter_controls([])).start()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(5)
            conn.connect(path)
            conn.sendall(b"add " + b"9" * 70_000)
            answer = _lines(conn, 1)[0]
            assert answer["ok"] is False and "longer than" in str(answer["error"])
            try:
                rest = conn.recv(10)
            except ConnectionResetError:  # closed with our unread bytes still in its buffer
                rest = b""
            assert rest == b""  # closed by the server
        assert send(path, "add 1")["ok"] is True  # and the server still serves others
    finally:
        server.close()


def test_a_stale_socket_file_is_replaced(tmp_path: Path) -> None:
    path = str(tmp_path / "ctl.sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()  # a killed simulator leaves its socket file behind
    server = ControlServer(path, counter_controls([])).start()
    try:
        assert send(path, "help")["ok"] is True
    finally:
        server.close()


def _lines(conn: socket.socket, count: int) -> list[dict[str, object]]:
    buf = b""
    while buf.count(b"\n") < count:
        chunk = conn.recv(65536)
        assert chunk, f"connection closed after {buf!r}"
        buf += chunk
    return [json.loads(line) for line in buf.splitlines()[:count]]


def test_in_process_simulators_serve_their_controls_from_the_url(tmp_path: Path) -> None:
    """The demo's kiosk opens its devices from sim:// URLs; a console drives them from outside."""
    from devices.health import Health
    from devices.idcard import open_reader
    from devices.pad import open_pad
    from devices.printer import open_printer

    paths = {kind: str(tmp_path / f"{kind}.sock") for kind in ("idcard", "printer", "pad")}
    reader = open_reader(f"sim://idcard?hold=1&control={paths['idcard']}")
    printer = open_printer(f"sim://printer?control={paths['printer']}")
    pad = open_pad(f"sim://pad?every=0&control={paths['pad']}")
    try:
        assert reader.read_card(0.5) is None
        assert send(paths["idcard"], "present 1")["ok"] is True
        card = reader.read_card(3)
        assert card is not None and card.name == "张宝山"
        send(paths["printer"], "cover open")
        assert printer.status() is Health.COVER_OPEN
        assert printer.simulator.state()["cover"] == "open"  # type: ignore[attr-defined]
        send(paths["pad"], "press 5")
        rating = pad.read_rating(3)
        assert rating is not None and rating.level == 5
    finally:
        reader.close()
        printer.close()
        pad.close()
    assert not any(Path(p).exists() for p in paths.values())  # closed with their device


def test_control_is_only_for_simulators() -> None:
    from devices.errors import BadAddress
    from devices.printer import open_printer

    with pytest.raises(BadAddress, match="control= is for the simulator"):
        open_printer("file:///tmp/x.bin?control=/tmp/x.sock")
