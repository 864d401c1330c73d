"""The staff side of the simulated morning: each staffed counter logs in on its counter pad, calls
the next ticket, serves it for a time drawn around the zone's typical length, and finishes it
(on through its route, done, or rejected), sometimes after a no-show or a transfer; a citizen then
rates the stage on the counter's rating pad. A bank-branch window forwards the papers to the hall.
`Desks` is mixed into `Morning`, which holds the shared state."""

from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING, Any

from provisioning.demo.api import Api, ApiError, Faults
from provisioning.demo.setup import DEMO_PIN
from provisioning.demo.staffing import staff_id_for

if TYPE_CHECKING:
    from provisioning.demo.morning import Plan, Record

SERVICE_MIN = {"consult": 3.0, "intake": 5.0, "approval": 5.0, "pickup": 2.0}
P_NO_SHOW, P_TRANSFER, P_REJECT = 0.03, 0.05, 0.02
LEVELS = ((5, 0.70), (4, 0.19), (3, 0.06), (2, 0.04), (1, 0.01))


class Desks:
    base_url: str
    tokens: dict[str, str]
    faults: Faults
    stop: threading.Event
    ready: dict[str, threading.Event]
    routes: dict[str, list[str]]
    plan: Plan
    rec: Record

    def _counter(self, code: str) -> None:
        rng = random.Random(f"{self.plan.seed}-{code}")
        api = Api(self.base_url, self.tokens[f"counter-{code}"], self.faults, stopping=self.stop)
        pad = self.tokens.get(f"pad-{code}")
        try:
            _s, out = api.call("POST", "/auth/login", {"staff": staff_id_for(code),
                                                       "pin": DEMO_PIN, "counter": code})
            session = out["token"]
            while not self.stop.is_set():
                self.ready[code].clear()
                ticket = self._next(api, session, code)
                if ticket is None:
                    self.ready[code].wait(timeout=2.0)
                    continue
                self._serve(api, session, code, ticket, rng, pad)
        except ApiError as exc:
            if not self.stop.is_set():
                self.rec.errors.append(f"counter {code}: {exc}")
        except Exception as exc:  # noqa: BLE001 - a crashed counter is reported, not hidden
            self.rec.errors.append(f"counter {code} stopped: {exc!r}")
        finally:
            api.close()

    def _next(self, api: Api, session: str, code: str) -> dict[str, Any] | None:
        try:
            status, ticket = api.call("POST", f"/counters/{code}/call-next", token=session)
        except ApiError as exc:
            if exc.code != "ticket_in_progress":  # a call whose answer the restart swallowed
                raise
            _s, state = api.call("GET", f"/counters/{code}", token=session)
            return state.get("current")
        if status == 204:
            return None
        with self.rec.lock:
            self.rec.calls[code] = self.rec.calls.get(code, 0) + 1
        return dict(ticket)

    def _act(self, api: Api, session: str, code: str, action: str,
             body: dict[str, Any] | None = None) -> None:
        try:
            api.call("POST", f"/counters/{code}/{action}", body or {}, token=session)
        except ApiError as exc:
            if exc.status != 409:  # 409: the action already happened before a restart
                raise

    def _serve(self, api: Api, session: str, code: str, ticket: dict[str, Any],
               rng: random.Random, pad: str | None) -> None:
        zone = ticket["zone"]
        if zone != "approval" and ticket.get("status") == "called" and rng.random() < P_NO_SHOW:
            self._act(api, session, code, "recall")
            self._act(api, session, code, "recall")
            self._act(api, session, code, "no-show")
            self.rec.no_shows += 1
            return
        if ticket.get("status") != "serving":
            self._act(api, session, code, "start")
        minutes = SERVICE_MIN[zone] * rng.lognormvariate(0, 0.45)
        self.stop.wait(self.plan.real(minutes))
        route = self.routes.get(ticket["service"], [zone])
        if zone == "intake" and not code.startswith("N") and rng.random() < P_TRANSFER:
            target = self._transfer_target(ticket["service"], rng)
            if target:
                self._act(api, session, code, "transfer", {"service": target})
                self.rec.transfers += 1
                return
        if zone == "approval" and rng.random() < P_REJECT:
            self._act(api, session, code, "finish", {"outcome": "rejected",
                                                      "reason": "材料不全 / papers incomplete"})
            self.rec.rejected += 1
            return
        last = route.index(zone) == len(route) - 1 if zone in route else True
        if code.startswith("N") and not last:
            # A bank branch takes the papers; the hall's back office does the rest.
            api.call("POST", f"/tickets/{ticket['id']}/forward", {}, token=session)
            with self.rec.lock:
                self.rec.forwarded += 1
        else:
            self._act(api, session, code, "finish", {"outcome": "done" if last else "next"})
        if pad:
            self._rate(api, pad, ticket["id"], rng)

    def _transfer_target(self, service: str, rng: random.Random) -> str | None:
        """A citizen who chose the wrong service at the kiosk: another one through intake."""
        family = [s for s in self.routes if s != service and "intake" in self.routes[s]
                  and s.split("-")[0] == service.split("-")[0]]
        pool = family or [s for s in self.routes if s != service and "intake" in self.routes[s]]
        return rng.choice(pool) if pool else None

    def _rate(self, api: Api, pad: str, ticket_id: str, rng: random.Random) -> None:
        level = rng.choices([lv for lv, _ in LEVELS], weights=[w for _, w in LEVELS])[0]
        body: dict[str, Any] = {"ticket": ticket_id, "level": level}
        if level <= 2:
            body["reasons"] = [rng.choice(["wait", "slow", "unclear"])]
        try:
            _s, out = api.call("POST", "/evaluations", body, token=pad)
        except ApiError as exc:
            if exc.status != 409:
                self.rec.errors.append(f"rating: {exc}")
            return
        with self.rec.lock:
            self.rec.ratings.append(level)
            self.rec.followups += 1 if out.get("followup") else 0
