"""This server process's sender of notifications: the outbox (usecases/notify.py) drained by one
background task, woken when a commit adds a message and otherwise when the next retry falls
due. The adapter is a signed webhook POST (httpx, no proxies from the environment, no
redirects); a hall without a webhook has its messages logged only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from queue_server.api.settings import Settings
from queue_server.db.busy import unavailable
from queue_server.db.store import Store
from queue_server.usecases import notify

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
IDLE_S = 30.0


class WebhookSender:
    """POSTs one signed message; any answer but 2xx is a failure to retry."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.client: httpx.Client | None = None  # made on the first message: most halls send
        # none, and importing httpx is a tenth of a second of a server's start

    def __call__(self, out: notify.Outgoing) -> None:
        if self.client is None:
            import httpx

            self.client = httpx.Client(timeout=self.timeout, follow_redirects=False,
                                       trust_env=False)
        resp = self.client.post(out.url, content=out.body, headers=out.headers)
        if not 200 <= resp.status_code < 300:
            raise RuntimeError(f"the gateway answered HTTP {resp.status_code}")

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


async def run(store: Store, settings: Settings) -> None:
    """Send due messages until cancelled."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def waker() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(wake.set)

    notify.on_new_messages(waker)
    sender = WebhookSender()
    try:
        while True:
            wake.clear()
            wait = IDLE_S
            try:
                await asyncio.to_thread(notify.deliver_due, store, sender,
                                        settings.notify_backoff_s)
                due = await asyncio.to_thread(notify.next_due, store)
                if due is not None:
                    wait = min(max((due - store.clock()).total_seconds(), 0.05), IDLE_S)
            except Exception as exc:  # noqa: BLE001 - a busy database: try again shortly
                trouble = unavailable(exc)
                if trouble is not None:  # the store's health logs the change, once
                    store.health.failed(trouble)
                else:
                    log.warning("notify: sending failed; retrying", exc_info=True)
                wait = 1.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), wait)
    finally:
        notify.forget_waker(waker)
        await asyncio.to_thread(sender.close)
