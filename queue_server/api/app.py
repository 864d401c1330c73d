"""The composition root of the HTTP server: `create_app(settings)` wires the store, the event
hub, the routes, the error handlers and the body limit; its lifespan starts the hub, the
business-day watcher and (unless turned off) the zeroconf advertisement."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from queue_server.api import (
    http_errors,
    lane,
    notifier,
    phone_page,
    routes,
    routes_console,
    routes_counters,
    routes_documents,
    routes_journey,
    routes_public,
    routes_reports,
    routes_supervision,
    track,
)
from queue_server.api.limits import PublicLimits
from queue_server.api.ratelimit import Limiter
from queue_server.api.settings import Settings
from queue_server.api.stream import EventHub
from queue_server.db.busy import first_line, unavailable
from queue_server.db.store import Store
from queue_server.db.warm import warm
from queue_server.usecases import (
    appointments,
    auth,
    counters,
    estimate,
    fold,
    remote,
    terminals,
    tickets,
)
from queue_server.usecases.cases import scan_alerts
from queue_server.usecases.halls import remember_halls, roll_days

log = logging.getLogger("queue_server")
WARM_PATH = "/.kuaiban-warm-up"  # no route has it: the warm-up's request walks them all
# FastAPI 0.16x asks OpenTelemetry on every request whether it is configured; a hall server
# has none, so it is off (older FastAPI has no such option).
_NO_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {})


async def _watch_days(store: Store, every: float) -> None:
    """Roll business days over while the hall is open (a 24-hour hall has no quiet restart),
    send the approval deadline alerts that have come due (限时办结), and record the kiosks
    that went silent (`terminals.mark_silent`)."""
    while True:
        try:
            rolled = await asyncio.to_thread(roll_days, store)
            if rolled:
                log.info("new business day in %s", ", ".join(rolled))
                missed = await asyncio.to_thread(appointments.mark_missed, store)
                unclaimed = await asyncio.to_thread(remote.expire_unclaimed, store)
                if missed or unclaimed:
                    log.info("past days: %d bookings missed, %d phone numbers never checked "
                             "in", missed, unclaimed)
            sent = await asyncio.to_thread(scan_alerts, store)
            if sent:
                log.info("%d approval deadline alert(s) sent", sent)
            await asyncio.to_thread(terminals.mark_silent, store)  # the night's record
        except Exception as exc:  # noqa: BLE001 - try again next round
            trouble = unavailable(exc)
            if trouble is not None:  # the store's health logs the change, once
                store.health.failed(trouble)
            else:
                log.warning("day rollover or deadline check failed; retrying", exc_info=True)
        await asyncio.sleep(every)


async def _warm(app: FastAPI, store: Store) -> None:
    """What a fresh server's first requests would pay, paid before it listens: the
    database's part in a thread (`db.warm`, on PostgreSQL with the issue's statement run on
    each pooled connection, `tickets.warm_connection`; every hall's settings and services in
    the short caches, `halls.remember_halls`; every active terminal remembered as its first
    request would, `auth.remember_terminals`, and its token counted as seen valid,
    `routes.seen_valid`) while the thread pool for sync code is started and the routes are
    walked.

    Measured on a fresh server (PostgreSQL, 20 halls, two servers, 300 issues a second from
    their start): the first 0.25 s of requests took up to 60-120 ms before these, most of
    it the first request's import of anyio's backend, then each kiosk's first request's
    look-up of its token and each connection's first issue; 9-17 ms after.

    FastAPI builds its view of a router's routes the first time a request walks that router:
    a request for a path no route has (a 404) took 140-210 ms on a fresh server, 1-2 ms
    after; a page of the last routers paid most of that too. A request for such a path,
    answered here and sent nowhere, walks them all. A failure is logged; the first requests
    then do the work, as before."""
    started = time.perf_counter()

    def database() -> float:
        begun = time.perf_counter()
        warm(store, None if store.is_sqlite else
             lambda conn: tickets.warm_connection(conn, store.clock()))
        with store.read() as s:  # one transaction for every cache it fills
            routes.seen_valid(auth.remember_terminals(s))
            estimate.remember_counter_services(s, remember_halls(s))
        return time.perf_counter() - begun

    in_thread = asyncio.create_task(asyncio.to_thread(database))
    # The thread pool that runs sync dependencies and endpoints: anyio imports its asyncio
    # backend on the first use (40-50 ms here, on a fresh server's first request).
    with contextlib.suppress(Exception):
        await run_in_threadpool(lambda: None)
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    try:
        await app.router({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                          "method": "GET", "scheme": "http", "path": WARM_PATH,
                          "raw_path": WARM_PATH.encode(), "root_path": "",
                          "query_string": b"", "headers": [], "client": None,
                          "server": None}, receive, send)
    except Exception as exc:  # noqa: BLE001 - the first requests walk the routes themselves
        log.warning("walking the routes before the first request failed (%s)", first_line(exc))
    routes_ms = (time.perf_counter() - started) * 1000
    try:
        database_ms = (await in_thread) * 1000
    except Exception as exc:  # noqa: BLE001 - the first requests do it themselves
        log.warning("warming the database's connections and statements failed (%s)",
                    first_line(exc))
        return
    log.info("warmed up before listening: routes %.0f ms (answered %s), database %.0f ms",
             routes_ms, statuses, database_ms)


async def _prepare_call_orders(store: Store) -> None:
    """The staffed counters' call order built before they call (`prepare_call_orders`); a
    failure only means their first calls build it themselves."""
    try:
        count = await asyncio.to_thread(counters.prepare_call_orders, store)
    except Exception as exc:  # noqa: BLE001 - an optimisation: the server works without it
        log.warning("preparing the counters' call order failed (%s); their first calls "
                    "build it", first_line(exc))
    else:
        log.debug("call order prepared for %d counters", count)


async def _fold_figures(store: Store, settings: Settings) -> None:
    """Keep the figures folded in quiet moments, so a reading has little left to fold: one
    short unit at a time, and only while no request has written for `fold_quiet_s` (the fold
    shares the write lock and the interpreter with the requests); one unit at least every
    `fold_max_wait_s` even in a hall that never pauses."""
    last = time.monotonic()
    while True:
        await asyncio.sleep(settings.fold_every_s)
        forced = time.monotonic() - last >= settings.fold_max_wait_s
        try:
            while forced or fold.quiet_for() >= settings.fold_quiet_s:
                done = await asyncio.to_thread(fold.fold_step, store, fold.STEP)
                last, forced = time.monotonic(), False
                if done < fold.STEP:
                    break
        except Exception as exc:  # noqa: BLE001 - the next round or a reading folds
            trouble = unavailable(exc)
            if trouble is not None:  # the store's health logs the change, once
                store.health.failed(trouble)
            else:
                log.warning("folding the figures failed; retrying", exc_info=True)


def _advertise(settings: Settings, store: Store) -> object | None:
    if not settings.zeroconf:
        return None
    try:
        from queue_server.api import discovery
    except ImportError:
        log.info("zeroconf: queue_server.api.discovery not available; not advertising")
        return None
    from queue_server.api.tls_info import fingerprint

    halls = terminals.served_halls(store)  # the first main hall first, as `hall` names it
    try:
        return discovery.advertise(halls[0] if halls else "kuaiban", settings.port,
                                   host=settings.host,
                                   tls_fingerprint=fingerprint(settings.tls_cert,
                                                               settings.tls_ca),
                                   halls=halls)
    except Exception:  # noqa: BLE001 - no multicast here: terminals use a fixed URL
        log.warning("zeroconf: advertisement failed", exc_info=True)
        return None


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    store = store or Store(settings.db_url, lock_timeout=settings.lock_timeout_s,
                           max_pending=settings.max_pending)
    listen = None if store.is_sqlite else settings.db_url
    hub = EventHub(store.fetch_events, listen_url=listen,
                   writes_waiting=lambda: store.units > 0, sent_here=store.announced_here)
    store.on_events = hub.notify

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await _warm(app, store)
        await hub.start()
        watcher = asyncio.create_task(_watch_days(store, settings.day_check_s))
        folder = asyncio.create_task(_fold_figures(store, settings))
        sender = asyncio.create_task(notifier.run(store, settings))
        ad = await asyncio.to_thread(_advertise, settings, store)
        prepared = asyncio.create_task(_prepare_call_orders(store))
        try:
            yield
        finally:
            for task in (watcher, folder, sender, prepared):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if ad is not None:
                await asyncio.to_thread(ad.close)  # type: ignore[attr-defined]
            await hub.stop()
            store.close()

    app = FastAPI(title="快办 Kuaiban queue server", version="1", lifespan=lifespan,
                  openapi_url="/openapi.json", **_NO_TELEMETRY)
    app.state.settings, app.state.store, app.state.hub = settings, store, hub
    app.state.limits = PublicLimits(settings)
    app.state.limiter = Limiter(settings.rates)
    http_errors.install(app)
    busy = [routes.busy, routes_counters.busy]  # matched first: see routes.busy
    for router in busy:
        app.include_router(router)
    for module in (routes, routes_counters, routes_documents, routes_reports, routes_supervision,
                   routes_journey, routes_public, track, phone_page):
        app.include_router(module.router)
    routes_console.mount(app)
    lane.install(app, busy)  # their ordinary requests without FastAPI's per-request work
    # The door takes a request's place once its body has arrived (BodyLimit reads it first):
    # a client trickling bodies must not hold the places the kiosks' writes need.
    app.add_middleware(http_errors.Shed, store=store)
    app.add_middleware(http_errors.BodyLimit, default=settings.json_limit,
                       large=settings.document_limit, large_paths=r"/documents$",
                       timeout=settings.body_timeout_s)
    return app
