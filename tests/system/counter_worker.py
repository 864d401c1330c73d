"""A process of counters for test_system_counters.py: reads one JSON line from standard input
(`{"counters": [[api_base, code, session], ...]}`), prints "ready", waits for "go", then each
counter (one thread each) calls next and finishes until nobody waits; prints one JSON line
`{"called": [[ticket_id, number, code], ...], "errors": [...]}`."""

from __future__ import annotations

import json
import sys
import threading

import httpx


def counter(base: str, code: str, session: str, called: list[list[str]],
            errors: list[str]) -> None:
    with httpx.Client(base_url=base, timeout=30,
                      headers={"Authorization": f"Bearer {session}"}) as client:
        while True:
            resp = client.post(f"/counters/{code}/call-next")
            if resp.status_code == 204:
                return
            if resp.status_code == 503:
                continue  # busy: try again
            if resp.status_code != 200:
                errors.append(f"{code} call-next {resp.status_code} {resp.text[:200]}")
                return
            ticket = resp.json()
            called.append([ticket["id"], ticket["number"], code])
            done = client.post(f"/counters/{code}/finish", json={"outcome": "done"})
            if done.status_code != 200:
                errors.append(f"{code} finish {done.status_code} {done.text[:200]}")
                return


def main() -> None:
    plan = json.loads(sys.stdin.readline())
    print("ready", flush=True)
    assert sys.stdin.readline().strip() == "go"
    called: list[list[str]] = []
    errors: list[str] = []
    threads = [threading.Thread(target=counter, args=(*c, called, errors))
               for c in plan["counters"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"called": called, "errors": errors}), flush=True)


if __name__ == "__main__":
    main()
