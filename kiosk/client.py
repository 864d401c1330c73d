"""The terminals' client of the queue server: typed calls over the wire models, clear errors,
retries with the same idempotency key, and an event stream that resumes after a disconnect.

Blocking by design: view-models call it from worker threads, never from the GUI thread.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from queue_server import wire, wire_console

M = TypeVar("M", bound=BaseModel)


class ClientError(Exception):
    """Base of the client's errors."""


class ServerUnreachable(ClientError):
    """The server did not answer (down, network, timeout). A retry may succeed."""


class ApiError(ClientError):
    """The server answered with an error: `code` and `message` come from its error body;
    `retry_after` (seconds) from its Retry-After header, if any; `number` from the body where
    the server names one (a booking checked in before: the number it gave)."""

    def __init__(self, status: int, code: str, message: str,
                 retry_after: float | None = None, number: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.number = number

    @property
    def transient(self) -> bool:
        """The server cannot serve now but will (503 busy, storage_full, db_unavailable,
        too_many_connections): the same request, same idempotency key, may be sent again."""
        return self.status == 503


def _retry_after(resp: httpx.Response) -> float | None:
    try:
        return float(resp.headers["retry-after"])
    except (KeyError, ValueError):
        return None


class QueueClient:
    def __init__(self, base_url: str, token: str = "", *, timeout: float = 5.0,
                 verify: bool | str = True, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.staff_token = ""
        self._http = httpx.Client(base_url=self.base_url + "/api/v1", timeout=timeout,
                                  verify=verify, transport=transport)

    def close(self) -> None:
        self._http.close()

    # -- plumbing ---------------------------------------------------------------------------
    def _headers(self, staff: bool, extra: dict[str, str] | None) -> dict[str, str]:
        token = self.staff_token if staff and self.staff_token else self.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, *, json_body: Any = None, content: bytes | None = None,
                staff: bool = False, headers: dict[str, str] | None = None,
                params: dict[str, Any] | None = None) -> httpx.Response:
        try:
            resp = self._http.request(method, path, json=json_body, content=content,
                                      headers=self._headers(staff, headers), params=params)
        except httpx.HTTPError as exc:
            raise ServerUnreachable(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc
        if resp.status_code >= 400:
            code, message, number = "http_error", resp.text[:200], None
            try:
                body = wire.ErrorBody.model_validate(resp.json())
                code, message, number = body.error.code, body.error.message, body.error.number
            except Exception:  # not our error body (a proxy, a crash page)
                pass
            if resp.status_code >= 500 and code == "http_error":
                raise ServerUnreachable(f"{method} {path}: HTTP {resp.status_code}")
            raise ApiError(resp.status_code, code, message, _retry_after(resp), number)
        return resp

    def _get(self, path: str, model: type[M], **kw: Any) -> M:
        return model.model_validate(self.request("GET", path, **kw).json())

    def _post(self, path: str, model: type[M], body: Any = None, **kw: Any) -> M:
        return model.model_validate(self.request("POST", path, json_body=body, **kw).json())

    # -- terminals --------------------------------------------------------------------------
    def health(self) -> wire.Health:
        return self._get("/health", wire.Health)

    def hall(self) -> wire.HallOut:
        return self._get("/hall", wire.HallOut)

    def me(self) -> wire.TerminalOut:
        return self._get("/terminals/me", wire.TerminalOut)

    def heartbeat(self, devices: dict[str, str], detail: dict[str, str] | None = None) -> None:
        body = wire.HeartbeatIn(devices=devices, detail=detail or {})
        self.request("POST", "/terminals/heartbeat", json_body=body.model_dump())

    def services(self) -> list[wire.ServiceInfo]:
        resp = self.request("GET", "/services")
        return [wire.ServiceInfo.model_validate(s) for s in resp.json()]

    # -- tickets ----------------------------------------------------------------------------
    def issue(self, req: wire.TicketCreate, *, idempotency_key: str | None = None,
              attempts: int = 4, backoff_s: float = 0.3, max_wait_s: float = 3.0
              ) -> wire.TicketIssued:
        """Issue a ticket; retried with the same key when the answer was lost or the server
        said 503 (busy, disk full, database unavailable), so a retry never makes two tickets.
        Waits the server's Retry-After between tries, at most `max_wait_s` (a citizen waits)."""
        key = idempotency_key or uuid.uuid4().hex
        body = req.model_dump(exclude_none=True)
        for attempt in range(attempts):
            try:
                return self._post("/tickets", wire.TicketIssued, body,
                                  headers={"Idempotency-Key": key})
            except (ServerUnreachable, ApiError) as exc:
                if attempt == attempts - 1 or (isinstance(exc, ApiError) and not exc.transient):
                    raise
                hint = exc.retry_after if isinstance(exc, ApiError) else None
                time.sleep(min(max(backoff_s * (2**attempt), hint or 0.0), max_wait_s))
        raise AssertionError("unreachable")

    def ticket(self, ticket_id: str) -> wire.TicketOut:
        return self._get(f"/tickets/{ticket_id}", wire.TicketOut)

    def arrive(self, ticket_id: str) -> wire.TicketIssued:
        """Its holder checked in here: a number from the phone queues, a ready case gets its
        pickup number (today's) under the same ticket. Answers the ticket to print."""
        return self._post(f"/tickets/{ticket_id}/arrive", wire.TicketIssued)

    def lookup(self, number: str, name: str = "") -> list[wire.TicketOut]:
        body = wire.TicketLookup(id_card=wire.IdCardIn(number=number, name=name))
        resp = self.request("POST", "/tickets/lookup", json_body=body.model_dump())
        return [wire.TicketOut.model_validate(t) for t in resp.json()]

    def upload_document(self, ticket_id: str, data: bytes,
                        content_type: str = "image/jpeg") -> wire.DocumentOut:
        resp = self.request("POST", f"/tickets/{ticket_id}/documents", content=data,
                            headers={"Content-Type": content_type})
        return wire.DocumentOut.model_validate(resp.json())

    def documents(self, ticket_id: str) -> list[wire.DocumentOut]:
        resp = self.request("GET", f"/tickets/{ticket_id}/documents", staff=True)
        return [wire.DocumentOut.model_validate(d) for d in resp.json()]

    def document_bytes(self, document_id: int) -> bytes:
        return self.request("GET", f"/documents/{document_id}", staff=True).content

    def forward(self, ticket_id: str, service: str | None = None) -> wire.TicketIssued:
        return self._post(f"/tickets/{ticket_id}/forward", wire.TicketIssued,
                          wire.ForwardIn(service=service).model_dump(exclude_none=True))

    def print_failed(self, ticket_id: str, reason: str) -> None:
        self.request("POST", f"/tickets/{ticket_id}/print-failed", json_body={"reason": reason})

    def evaluate(self, ticket_id: str, level: int, reasons: list[str] | None = None,
                 comment: str | None = None, *, rating_code: str | None = None,
                 ) -> wire.EvaluationOut:
        """Rate a ticket's latest stage. A pad at its counter needs no proof; a kiosk sends
        the ticket's `rating_code` (from its QR code or a card lookup)."""
        body = wire.EvaluationIn(ticket=ticket_id, level=level, reasons=reasons or [],
                                 comment=comment, rating_code=rating_code)
        return self._post("/evaluations", wire.EvaluationOut, body.model_dump(exclude_none=True))

    # -- counters (staff session) -----------------------------------------------------------
    def login(self, staff: str, pin: str, counter: str) -> wire.LoginOut:
        out = self._post("/auth/login", wire.LoginOut,
                         wire.LoginIn(staff=staff, pin=pin, counter=counter).model_dump())
        self.staff_token = out.token
        return out

    def logout(self) -> None:
        """Forget the staff session at once and end it on the server (POST /auth/logout) in
        the background: a pad logging out while the server is away is not held up, and its
        session then lapses by itself."""
        token, self.staff_token = self.staff_token, ""
        if token:
            threading.Thread(target=self._end_session, args=(token,), daemon=True,
                             name="staff-logout").start()

    def _end_session(self, token: str) -> None:
        # gone, closed or refused: the session lapses by itself anyway
        with contextlib.suppress(Exception):
            self._http.post("/auth/logout", headers={"Authorization": f"Bearer {token}"},
                            timeout=3.0)

    def counters(self) -> list[wire.CounterState]:
        resp = self.request("GET", "/counters")
        return [wire.CounterState.model_validate(c) for c in resp.json()]

    def counter(self, code: str) -> wire.CounterState:
        return self._get(f"/counters/{code}", wire.CounterState, staff=True)

    def counter_action(self, code: str, action: str, body: dict[str, Any] | None = None,
                       params: dict[str, str] | None = None) -> wire.TicketOut | None:
        """call-next, recall, no-show, start, finish, transfer, pause, resume.
        Answers the ticket concerned, or None (204: nobody waits / nothing current)."""
        resp = self.request("POST", f"/counters/{code}/{action}", json_body=body or {}, staff=True,
                            params=params)
        if resp.status_code == 204 or not resp.content:
            return None
        data = resp.json()
        if isinstance(data, dict) and "number" in data and "id" in data:
            return wire.TicketOut.model_validate(data)
        return None

    def find_tickets(self, number: str) -> list[wire.TicketOut]:
        """Today's ticket with `number` (staff): a list of none or one."""
        resp = self.request("GET", "/tickets", params={"number": number}, staff=True)
        return [wire.TicketOut.model_validate(t) for t in resp.json()]

    # -- the staff member's own cases and ratings (全程盯办, 申诉) ------------------------------
    def my_cases(self) -> list[wire_console.MyCaseRow]:
        """The cases this staff member took in at intake, and where each is now."""
        resp = self.request("GET", "/cases/mine", staff=True)
        return [wire_console.MyCaseRow.model_validate(r) for r in resp.json()]

    def my_ratings(self) -> list[wire_console.RatingRow]:
        resp = self.request("GET", "/evaluations/mine", staff=True)
        return [wire_console.RatingRow.model_validate(r) for r in resp.json()]

    def appeal(self, evaluation_id: int, reason: str) -> wire_console.AppealOut:
        """Appeal (申诉) against one of this staff member's own ratings."""
        return self._post(f"/evaluations/{evaluation_id}/appeal", wire_console.AppealOut,
                          wire_console.AppealIn(reason=reason).model_dump(), staff=True)

    # -- events -----------------------------------------------------------------------------
    def events(self, after: int | None = 0, *, since: str | None = None,
               read_timeout: float = 30.0, on_open: Callable[[], None] | None = None
               ) -> Iterator[wire.Event]:
        """Yield events after `after` (or, with `after=None`, from `since`: "today" is the
        first event of the hall's business day) from the SSE stream until it ends.
        `on_open` is called once the server has accepted the stream (before any event: a
        quiet hall sends none for a long time)."""
        headers = self._headers(False, {"Accept": "text/event-stream"})
        timeout = httpx.Timeout(5.0, read=read_timeout)
        params = {"after": after} if after is not None or since is None else {"since": since}
        try:
            with self._http.stream("GET", "/events", params=params, headers=headers,
                                   timeout=timeout) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    raise ApiError(resp.status_code, "events_refused", resp.text[:200])
                if on_open is not None:
                    on_open()
                data: list[str] = []
                for line in resp.iter_lines():
                    if line.startswith("data:"):
                        data.append(line[5:].lstrip())
                    elif line == "" and data:
                        yield wire.Event.model_validate(json.loads("\n".join(data)))
                        data = []
        except httpx.HTTPError as exc:
            raise ServerUnreachable(f"events: {exc.__class__.__name__}: {exc}") from exc


class EventFollower:
    """Follows the event stream in a thread, resuming from the last id after any disconnect, so
    every event reaches `on_event` exactly once and in order. `on_online(bool)` reports the link.
    It starts after event `after`, or, by default, at the first event of the hall's business
    day: a terminal that starts sees today's calls, not the hall's whole history."""

    def __init__(self, client: QueueClient, on_event: Callable[[wire.Event], None],
                 on_online: Callable[[bool], None] | None = None, after: int | None = None,
                 retry_s: float = 1.0,
                 on_refused: Callable[[bool], None] | None = None) -> None:
        self.client = client
        self.on_event = on_event
        self.on_online = on_online or (lambda _up: None)
        # `on_refused(True)` when the server refuses this terminal's token (401/403: revoked,
        # or another hall's), not the network: retrying will not help, the administrator will
        self.on_refused = on_refused or (lambda _refused: None)
        self._refused = False
        self.last_id = after or 0
        self._from_today = after is None  # until the first event gives a place to resume
        self.retry_s = retry_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-follower", daemon=True)
        self._online: bool | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _set_online(self, up: bool, refused: bool = False) -> None:
        if self._stop.is_set():
            return  # its owner may be gone (a window closed): nothing more reaches it
        if refused != self._refused:
            self._refused = refused
            self.on_refused(refused)
        if up != self._online:
            self._online = up
            self.on_online(up)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                start = (None, "today") if self._from_today else (self.last_id, None)
                # online once the server takes the stream: after a restart a quiet hall
                # sends no event for minutes, and the board and counter said "offline"
                for event in self.client.events(start[0], since=start[1], read_timeout=20.0,
                                                on_open=lambda: self._set_online(True)):
                    # Stopped while the stream was read: the read goes on until the next
                    # event or ping, and that event must not reach an owner that has gone
                    # (a closed window's model: Qt crashed on its signal).
                    if self._stop.is_set():
                        return
                    self._set_online(True)
                    if event.id <= self.last_id:
                        continue
                    self.last_id, self._from_today = event.id, False
                    self.on_event(event)
                self._set_online(True)
            except ApiError as exc:
                self._set_online(False, refused=exc.status in (401, 403))
            except ClientError:
                self._set_online(False)
            self._stop.wait(self.retry_s)
