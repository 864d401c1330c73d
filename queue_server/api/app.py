"""The composition root of the HTTP server: `create_app(settings)` wires the store, the event
hub, the routes, the error handlers and the body limit; its lifespan starts the hub, the
business-day watcher and (unless turned off) the zeroconf advertisement."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from queue_server.api import http_errors, routes, routes_counters, routes_documents, track
from queue_server.api.ratelimit import Limiter
from queue_server.api.settings import Settings
from queue_server.api.stream import EventHub
from queue_server.db.busy import unavailable
from queue_server.db.store import Store
from queue_server.usecases import terminals
from queue_server.usecases.halls import roll_days

log = logging.getLogger("queue_server")
# FastAPI 0.16x asks OpenTelemetry on every request whether it is configured; a hall server
# has none, so it is off (older FastAPI has no such option).
_NO_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {})


async def _watch_days(store: Store, every: float) -> None:
    """Roll business days over while the hall is open (a 24-hour hall has no quiet restart)."""
    while True:
        try:
            rolled = await asyncio.to_thread(roll_days, store)
            if rolled:
                log.info("new business day in %s", ", ".join(rolled))
        except Exception as exc:  # noqa: BLE001 - try again next round
            trouble = unavailable(exc)
            if trouble is not None:  # the store's health logs the change, once
                store.health.failed(trouble)
            else:
                log.warning("day rollover check failed; retrying", exc_info=True)
        await asyncio.sleep(every)


def _advertise(settings: Settings, store: Store) -> object | None:
    if not settings.zeroconf:
        return None
    try:
        from queue_server.api import discovery
    except ImportError:
        log.info("zeroconf: queue_server.api.discovery not available; not advertising")
        return None
    from queue_server.api.tls_info import fingerprint

    hall = next(iter(terminals.main_halls(store)), "kuaiban")
    try:
        return discovery.advertise(hall, settings.port, host=settings.host,
                                   tls_fingerprint=fingerprint(settings.tls_cert,
                                                               settings.tls_ca))
    except Exception:  # noqa: BLE001 - no multicast here: terminals use a fixed URL
        log.warning("zeroconf: advertisement failed", exc_info=True)
        return None


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    store = store or Store(settings.db_url, lock_timeout=settings.lock_timeout_s)
    listen = None if store.is_sqlite else settings.db_url
    hub = EventHub(store.fetch_events, listen_url=listen)
    store.on_events = hub.notify

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        watcher = asyncio.create_task(_watch_days(store, settings.day_check_s))
        ad = await asyncio.to_thread(_advertise, settings, store)
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            if ad is not None:
                await asyncio.to_thread(ad.close)  # type: ignore[attr-defined]
            await hub.stop()
            store.close()

    app = FastAPI(title="快办 Kuaiban queue server", version="1", lifespan=lifespan,
                  openapi_url="/openapi.json", **_NO_TELEMETRY)
    app.state.settings, app.state.store, app.state.hub = settings, store, hub
    app.state.limiter = Limiter(settings.rates)
    http_errors.install(app)
    app.include_router(routes.router)
    app.include_router(routes_counters.router)
    app.include_router(routes_documents.router)
    app.include_router(track.router)
    app.add_middleware(http_errors.BodyLimit, default=settings.json_limit,
                       large=settings.document_limit, large_paths=r"/documents$",
                       timeout=settings.body_timeout_s)
    return app
