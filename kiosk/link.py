"""The kiosk's link to the hall server: finds it (zeroconf or the configured URL, with the pinned
hall CA: `kiosk.connect`, as every role does), loads the hall and its services (and caches them
for offline use), follows the event stream, knows whether the server is reachable and keeps
probing until it is back.

Network calls run on the task runner's workers; signals arrive on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.catalog import Catalog
from kiosk.client import ApiError, EventFollower, QueueClient
from kiosk.config import TerminalConfig
from kiosk.connect import discover, make_client
from kiosk.tasks import TaskRunner
from queue_server import wire

log = logging.getLogger("kiosk.link")


class ServerLink(QObject):
    onlineChanged = Signal(bool)
    servicesChanged = Signal()
    event = Signal(object)  # wire.Event, on the GUI thread

    def __init__(self, config: TerminalConfig, runner: TaskRunner, cache_path: Path | None,
                 client_factory: Callable[[str], QueueClient] | None = None,
                 retry_ms: int = 3000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.runner = runner
        self.cache_path = cache_path
        self.catalog = Catalog()
        self.hall: wire.HallOut | None = None
        self.hall_name = ""
        self.url = "" if config.server == "auto" else config.server
        self.client: QueueClient | None = None
        self.online = False
        self._client_factory = client_factory or self._make_client
        self._pin = config.ca_fingerprint  # or, once zeroconf has found the server, its fp
        self._follower: EventFollower | None = None
        self._retry = QTimer(self, singleShot=True, interval=retry_ms)
        self._retry.timeout.connect(self.connect_server)
        self._refresh = QTimer(self, singleShot=True, interval=1500)
        self._refresh.timeout.connect(self.refresh_services)
        self._loading = False
        self._remote_event.connect(self._on_remote_event)
        self._remote_online.connect(self._on_follower_online)
        cached = Catalog.load(cache_path) if cache_path else None
        if cached is not None:  # the hall as last seen: its name, time zone, languages
            self.catalog, self.hall_name, self.hall = cached

    _remote_event = Signal(object)
    _remote_online = Signal(bool)

    # -- connecting --------------------------------------------------------------------------
    @Slot()
    def connect_server(self) -> None:
        """Find the server if needed, then load the hall and services; retried until it works."""
        if self._loading:
            return
        self._loading = True
        self.runner.submit(self._load, self._loaded, self._load_failed, keep=True)

    def _load(self) -> tuple[QueueClient, wire.HallOut | None, list[wire.ServiceInfo]]:
        if not self.url:
            self.url, self._pin = discover(self.config)
        client = self.client or self._client_factory(self.url)
        self.client = client
        try:
            hall: wire.HallOut | None = client.hall()
        except ApiError as exc:  # an older server without GET /hall: the name stays as cached
            log.info("GET /hall: %s", exc)
            hall = None
        return client, hall, client.services()

    def _make_client(self, url: str) -> QueueClient:
        """HTTPS is trusted by the hall CA's pinned fingerprint (enrolment's, else zeroconf's)."""
        return make_client(url, self.config.token, self._pin, timeout=4.0)

    def _loaded(self, result: tuple[QueueClient, wire.HallOut | None, list[Any]]) -> None:
        self._loading = False
        _client, hall, services = result
        if hall is not None:
            self.hall, self.hall_name = hall, hall.name
        self.catalog.replace(services)
        catalog = self.catalog
        # the pinyin keys of the search are made on a worker, not on the first keystroke
        self.runner.submit(lambda: catalog.search("warm"), keep=True)
        if self.cache_path is not None:
            path, name, known = self.cache_path, self.hall_name, self.hall
            self.runner.submit(lambda: catalog.save(path, name, known), keep=True)
        self._set_online(True)
        self.servicesChanged.emit()
        self._follow()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        log.info("server not reachable: %s", exc)
        self._set_online(False)
        if isinstance(exc, ApiError) and exc.status in (401, 403):
            log.warning("the server refused this terminal's token: %s", exc)
        self._retry.start()

    def _follow(self) -> None:
        if self._follower is not None or self.client is None:
            return
        self._follower = EventFollower(self.client, self._remote_event.emit,
                                       self._remote_online.emit, retry_s=2.0)
        self._follower.start()

    # -- state -------------------------------------------------------------------------------
    def _set_online(self, up: bool) -> None:
        if up != self.online:
            self.online = up
            self.onlineChanged.emit(up)

    def report_unreachable(self) -> None:
        """A call failed with ServerUnreachable: go offline and start probing."""
        self._set_online(False)
        if not self._retry.isActive():
            self._retry.start()

    @Slot(bool)
    def _on_follower_online(self, up: bool) -> None:
        if up and not self.online:
            self.connect_server()
        elif not up:
            self.report_unreachable()

    @Slot(object)
    def _on_remote_event(self, event: wire.Event) -> None:
        if event.type in wire.WAITING_EVENTS and not self._refresh.isActive():
            self._refresh.start()  # at most one services reload per 1.5 s, whatever the rush
        self.event.emit(event)

    @Slot()
    def refresh_services(self) -> None:
        client = self.client
        if client is None or not self.online:
            return

        def done(services: list[wire.ServiceInfo]) -> None:
            self.catalog.replace(services)
            self.servicesChanged.emit()

        self.runner.submit(client.services, done, lambda _e: self.report_unreachable(), keep=True)

    def stop(self) -> None:
        self._retry.stop()
        self._refresh.stop()
        if self._follower is not None:
            self._follower.stop(timeout=0.5)
            self._follower = None
        if self.client is not None:
            self.client.close()
