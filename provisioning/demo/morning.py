"""A simulated busy morning against the real server process: citizens take numbers at the kiosk
and at the bank branch, staff call, serve, pass tickets on through the zones, transfer and mark
no-shows, citizens rate on the counter's pad; the kiosk's printer runs out of paper and is
refilled; the server is restarted once. Hall time runs `speed` times faster than real time."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from provisioning.demo import people
from provisioning.demo.api import Api, ApiError, Faults
from provisioning.demo.desks import Desks
from provisioning.demo.kiosk_sim import KioskPrinter
from provisioning.demo.setup import EXAMPLE
from provisioning.demo.staffing import STAFFED
from queue_server.config import load_config

KIOSKS = ("kiosk-1", "kiosk-2", "kiosk-3")


@dataclass
class Plan:
    minutes: float = 120.0    # hall minutes simulated: 08:30–10:30
    speed: float = 240.0      # hall seconds per real second
    drain_s: float = 6.0      # real seconds the counters keep working after the doors close
    seed: int = 2020

    def real(self, hall_minutes: float) -> float:
        return hall_minutes * 60.0 / self.speed


@dataclass
class Record:
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    ratings: list[int] = field(default_factory=list)
    followups: int = 0
    transfers: int = 0
    no_shows: int = 0
    rejected: int = 0
    forwarded: int = 0
    calls: dict[str, int] = field(default_factory=dict)
    timeline: list[tuple[float, str]] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    event_types: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, t0: float, text: str) -> None:
        with self.lock:
            self.timeline.append((time.monotonic() - t0, text))


def counter_services() -> dict[str, tuple[str, set[str]]]:
    """Zone and services of each staffed counter, from the example hall's configuration."""
    cfg = load_config(EXAMPLE)
    counters = list(cfg.counters) + [c for o in cfg.outposts for c in o.counters]
    return {c.code: (c.zone, set(c.services)) for c in counters if c.code in STAFFED}


class Morning(Desks):
    def __init__(self, base_url: str, tokens: dict[str, str], plan: Plan,
                 restart_server: Callable[[], float], log: Callable[[str], None]) -> None:
        self.base_url, self.tokens, self.plan = base_url, tokens, plan
        self.restart_server, self.log = restart_server, log
        self.faults, self.rec = Faults(), Record()
        self.rng = random.Random(plan.seed)
        self.closing = threading.Event()   # doors closed: no more arrivals
        self.stop = threading.Event()      # counters stop after their current ticket
        self.t0 = 0.0
        self.routes: dict[str, list[str]] = {}
        self.downtime_s = 0.0
        self.phases: dict[str, float] = {}
        # Idle counters wait for news on the event stream that concerns them (as a counter pad
        # does) instead of asking call-next in a loop: an empty call-next is still a write.
        self.serves = counter_services()
        self.ready = {code: threading.Event() for code in STAFFED}
        self.open_clients: list[Api] = []

    # -- the whole run -------------------------------------------------------------------------
    def run(self) -> Record:
        kiosk = Api(self.base_url, self.tokens["kiosk-1"], self.faults, stopping=self.stop)
        self.routes = {s["code"]: s["route"] for s in kiosk.call("GET", "/services")[1]}
        visitors = people.schedule(self.rng, self.plan.minutes, date.today())
        self.printers = {name: KioskPrinter() for name in KIOSKS}
        self.printer = self.printers[KIOSKS[0]]  # the one that runs out of paper
        self.t0 = time.monotonic()
        threads = [threading.Thread(target=self._counter, args=(c,), name=f"counter-{c}",
                                    daemon=True) for c in STAFFED]
        threads.append(threading.Thread(target=self._follow_events, daemon=True, name="events"))
        for t in threads:
            t.start()
        faults = threading.Thread(target=self._faults, daemon=True, name="faults")
        faults.start()
        try:
            self._arrivals(visitors)
            self.phases["arrivals"] = time.monotonic() - self.t0
            self.closing.set()
            self._drain()
            self.phases["drain"] = time.monotonic() - self.t0 - self.phases["arrivals"]
        finally:
            self.closing.set()
            self.stop.set()
            for t in threads + [faults]:
                t.join(15)
            kiosk.close()
            for client in self.open_clients:
                client.close()
        return self.rec

    def hall_clock(self) -> str:
        minutes = 8 * 60 + 30 + (time.monotonic() - self.t0) * self.plan.speed / 60
        return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}"

    def _drain(self) -> None:
        end = time.monotonic() + self.plan.drain_s
        while time.monotonic() < end:
            waiting = sum(s["waiting"] for s in self._services())
            if waiting == 0:
                break
            time.sleep(0.5)

    def _services(self) -> list[dict[str, Any]]:
        api = Api(self.base_url, self.tokens["kiosk-1"], self.faults)
        try:
            return list(api.call("GET", "/services")[1])
        finally:
            api.close()

    # -- citizens ------------------------------------------------------------------------------
    def _arrivals(self, visitors: list[people.Visitor]) -> None:
        """Three kiosks and the bank branch's kiosk issue numbers side by side, each on its own
        schedule; each kiosk prints on its own printer (kiosk-1's is the one that runs out)."""
        streams: dict[str, list[people.Visitor]] = {name: [] for name in KIOSKS + ("bank-1",)}
        for i, v in enumerate(visitors):
            streams["bank-1" if v.bank else KIOSKS[i % len(KIOSKS)]].append(v)
        threads = [threading.Thread(target=self._kiosk, args=(name, vs), daemon=True,
                                    name=name) for name, vs in streams.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for printer in self.printers.values():
            printer.close()

    def _kiosk(self, name: str, visitors: list[people.Visitor]) -> None:
        api = Api(self.base_url, self.tokens[name], self.faults, stopping=self.stop)
        printer = self.printers.get(name)
        try:
            for v in visitors:
                delay = self.t0 + self.plan.real(v.at_min) - time.monotonic()
                if self.stop.wait(max(0.0, delay)):
                    return
                ticket = self._issue(api, v)
                if ticket is not None and printer is not None:
                    self._print(api, printer, ticket)
        finally:
            self.open_clients.append(api)  # kiosks stay connected all day; closed at the end

    def _issue(self, api: Api, v: people.Visitor) -> dict[str, Any] | None:
        # Elderly priority is the server's to decide, from the card's birth date.
        body: dict[str, Any] = {"service": v.service, "channel": "bank" if v.bank else "kiosk",
                                "id_card": {"number": v.id_number, "name": v.name}}
        try:
            _status, t = api.call("POST", "/tickets", body,
                                  headers={"Idempotency-Key": str(uuid.uuid4())})
        except ApiError as exc:
            self.rec.errors.append(f"issue {v.service}: {exc}")
            return None
        with self.rec.lock:
            self.rec.tickets[t["id"]] = {"number": t["number"], "service": v.service,
                                         "bank": v.bank, "printed": None,
                                         "track_url": t.get("track_url"),
                                         "elderly": t.get("priority_reason") == "elderly"}
        return dict(t)

    def _print(self, api: Api, printer: KioskPrinter, t: dict[str, Any]) -> None:
        """Print the ticket; when the printer cannot, the number stays on the kiosk's screen
        and the server is told, so a supervisor sees the fault before the next citizen does."""
        printed = printer.print(t)
        self.rec.tickets[t["id"]]["printed"] = printed
        if printed:
            return
        try:
            api.call("POST", f"/tickets/{t['id']}/print-failed", {"reason": printer.last_error})
        except ApiError as exc:
            self.rec.errors.append(f"print-failed {t['number']}: {exc}")

    # -- the event stream, followed as a display does ------------------------------------------
    def _follow_events(self) -> None:
        headers = {"Authorization": f"Bearer {self.tokens['display-1']}",
                   "Accept": "text/event-stream"}
        last = 0
        while not self.stop.is_set():
            try:
                with httpx.stream("GET", f"{self.base_url}/api/v1/events", params={"after": last},
                                  headers=headers, timeout=httpx.Timeout(5.0, read=3.0)) as resp:
                    for line in resp.iter_lines():
                        if line.startswith("data:"):
                            event = json.loads(line[5:])
                            last = int(event["id"])
                            kind = str(event["type"])
                            with self.rec.lock:
                                self.rec.events.append(last)
                                self.rec.event_types[kind] = self.rec.event_types.get(kind, 0) + 1
                            self._wake(kind, event)
                        if self.stop.is_set():
                            return
            except (httpx.HTTPError, ValueError):
                self.stop.wait(0.3)

    def _wake(self, kind: str, event: dict[str, Any]) -> None:
        """Wake the counters that could call the ticket this event put in a queue."""
        if kind == "ticket.issued":
            zone, service, target = event.get("zone"), event.get("service"), None
        elif kind == "ticket.finished" and event.get("outcome") == "next":
            zone, service, target = event.get("next_zone"), event.get("service"), None
        elif kind == "ticket.transferred":
            zone, service, target = (event.get("to_zone"), event.get("to_service"),
                                     event.get("to_counter"))
        elif kind == "ticket.forwarded":
            zone, service, target = "intake", None, None
        else:
            return
        for code, (czone, services) in self.serves.items():
            if code == target or (czone == zone and (service is None or service in services)):
                self.ready[code].set()

    # -- faults --------------------------------------------------------------------------------
    def _faults(self) -> None:
        for share, action in ((0.30, self._paper_out), (0.42, self._paper_refill),
                              (0.60, self._restart)):
            delay = self.t0 + self.plan.real(self.plan.minutes * share) - time.monotonic()
            if self.stop.wait(max(0.0, delay)) or self.closing.is_set():
                return
            action()

    def _paper_out(self) -> None:
        self.printer.run_out()
        self.rec.note(self.t0, f"{self.hall_clock()} 自助机打印机缺纸 / kiosk printer out of paper")

    def _paper_refill(self) -> None:
        self.printer.refill()
        self.rec.note(self.t0, f"{self.hall_clock()} 已加纸 / paper refilled, printing again")

    def _restart(self) -> None:
        self.rec.note(self.t0, f"{self.hall_clock()} 服务器重启 / server restarted")
        self.downtime_s = self.restart_server()


