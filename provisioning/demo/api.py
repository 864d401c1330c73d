"""The demo's HTTP calls to the real server: one client per simulated person, bearer token,
and patience while the server restarts (the same request, with the same Idempotency-Key, is
sent again until it answers). Provisioning may not import the kiosk's client, so this is a
small one of its own."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRY_FOR_S = 30.0


@dataclass
class Faults:
    """What went wrong on the wire and was ridden out."""

    retried: int = 0          # requests sent again after no answer / 503
    recovered: int = 0        # requests that succeeded after at least one retry
    conflicts: int = 0        # 409s (a retried action that had already happened)
    server_errors: int = 0    # 5xx answers other than 503: defects, reported as such
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for key, n in counts.items():
                setattr(self, key, getattr(self, key) + n)


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        err = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"HTTP {status} {err.get('code', '')}: {err.get('message', body)}")
        self.status = status
        self.code = str(err.get("code", ""))


class Api:
    def __init__(self, base_url: str, token: str, faults: Faults, *,
                 verify: bool | str = True, stopping: threading.Event | None = None) -> None:
        self.token = token
        self.faults = faults
        self.stopping = stopping or threading.Event()  # set: give up retrying at once
        self._http = httpx.Client(base_url=f"{base_url}/api/v1", timeout=10.0, verify=verify)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Answers (status, JSON or None); raises ApiError on 4xx; retries outages."""
        sent = {"Authorization": f"Bearer {token or self.token}", **(headers or {})}
        deadline, tries = time.monotonic() + RETRY_FOR_S, 0
        while True:
            try:
                resp = self._http.request(method, path, json=body, headers=sent)
                if resp.status_code != 503:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.stopping.is_set():
                raise ApiError(503, {"error": {"code": "unreachable",
                                               "message": "server did not come back"}})
            tries += 1
            self.faults.add(retried=1)
            time.sleep(min(0.2 * tries, 1.0))
        if tries:
            self.faults.add(recovered=1)
        data = resp.json() if resp.content else None
        if resp.status_code >= 400:
            if resp.status_code == 409:
                self.faults.add(conflicts=1)
            elif resp.status_code >= 500:
                self.faults.add(server_errors=1)
            raise ApiError(resp.status_code, data)
        return resp.status_code, data
