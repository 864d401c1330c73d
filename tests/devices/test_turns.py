"""`devices.turns.FairLock`: the lock a device's poll loop shares with other requests, handed
out in the order it was asked for."""

from __future__ import annotations

import threading
import time

import pytest

from devices.turns import FairLock


def test_a_poll_loop_does_not_keep_a_waiter_out() -> None:
    """A thread that takes the lock back at once, turn after turn (a card reader's poll), lets
    a waiting thread in at the end of its current turn (threading.Lock may keep it out for
    seconds: the kiosk and rating pad tests waited 8-20 s on a 2-core machine)."""
    lock, stop, turns = FairLock(), threading.Event(), [0]

    def poll() -> None:
        while not stop.is_set():
            with lock:
                turns[0] += 1
                time.sleep(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        while turns[0] < 3:
            time.sleep(0.005)
        waits = []
        for _ in range(20):
            started = time.monotonic()
            assert lock.acquire(timeout=2.0)
            waits.append(time.monotonic() - started)
            lock.release()
        assert max(waits) < 0.5  # one turn of 20 ms, with room for a busy machine
    finally:
        stop.set()
        poller.join(5)


def test_waiters_are_served_in_order_and_a_timed_out_one_leaves_the_line() -> None:
    lock, order = FairLock(), []
    lock.acquire()
    assert not lock.acquire(blocking=False)
    assert not lock.acquire(timeout=0.05)  # gave up: not in the line any more

    def take(name: str) -> None:
        with lock:
            order.append(name)

    threads = []
    for name in ("first", "second", "third"):
        threads.append(threading.Thread(target=take, args=(name,)))
        threads[-1].start()
        time.sleep(0.05)  # each in the line before the next
    lock.release()
    for t in threads:
        t.join(5)
    assert order == ["first", "second", "third"]
    assert lock.acquire(blocking=False)  # free again once the line is empty
    lock.release()
    with pytest.raises(RuntimeError):
        lock.release()
