"""The real server in a thread of the test process (uvicorn with the connection guard, the
app from `create_app`), for the faults that need something only a test can hand it: a clock it
controls. Everything else about it is the production server: HTTP on loopback, the lifespan's
day watcher, the event hub."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn

from queue_server.api.app import create_app
from queue_server.api.guard import guarded
from queue_server.api.settings import Settings
from queue_server.api.stream import UVICORN_OPTIONS
from queue_server.db.store import Store
from tests.procs import free_port


@contextlib.contextmanager
def serving(store: Store, **settings: object) -> Iterator[str]:
    """Serve `store` on a free loopback port until the block ends; yields the /api/v1 base."""
    port = free_port()
    config = Settings(db_url=store.url, port=port, **settings)  # type: ignore[arg-type]
    app = create_app(config, store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           http=guarded(config.limits), **UVICORN_OPTIONS))
    thread = threading.Thread(target=server.run, name="inproc-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        server.should_exit = True
        thread.join(10)
