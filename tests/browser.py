"""The browser tests' one way to a browser: Playwright for Python driving Debian's chromium (never
a browser of Playwright's own), with the flags this machine needs, and the folder screenshots go
to ($KUAIBAN_SCREENSHOTS, or the test's own)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox as root, no GPU, and nothing that phones home (the network is closed; Chromium's
# background connections would only fail).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    if not CHROMIUM.exists():
        return ("Debian's chromium is not installed at /usr/bin/chromium (bin/bootstrap installs "
                "it when run as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[dev]')"
    return None


def need_browser() -> None:
    """Skip the calling test, saying why, where no browser can run."""
    reason = browser_missing()
    if reason:
        pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian chromium, closed on the way out."""
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def shots_folder(fallback: Path) -> Path:
    """Where screenshots go: $KUAIBAN_SCREENSHOTS, else `fallback`."""
    folder = Path(os.environ.get("KUAIBAN_SCREENSHOTS") or fallback)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def reload_settled(page: Any) -> None:
    """Reload `page`; a live page that reloads itself at the same moment (its stream spoke)
    aborts the test's reload with net::ERR_ABORTED, and then its own reload is the one awaited.
    Either way the page shows what the server holds now."""
    from playwright.sync_api import Error

    try:
        page.reload()
    except Error as error:
        if "ERR_ABORTED" not in str(error):
            raise
        page.wait_for_load_state("load")


def settled_tab(tab: Any) -> Any:
    """`tab`, whose goto() lands where it was sent even when a page reloads itself at the same
    moment. A live status page (/t/) reloads when its ticket's stream speaks; a goto() begun
    just then is "interrupted by another navigation": the page being left reloading, or,
    Chromium's navigations racing, the goto's own URL committed by an earlier attempt. After
    an interruption the tab settles; it is done when it shows `url`, else the goto is made
    again (a few times: a page reloads only when its ticket changed)."""
    from playwright.sync_api import Error

    plain = tab.goto

    def goto(url: str, **options: Any) -> Any:
        for attempt in range(4):
            try:
                return plain(url, **options)
            except Error as error:
                if "interrupted by another navigation" not in str(error) or attempt == 3:
                    raise
            tab.wait_for_load_state("load")
            if tab.url == url:
                return None
        return None  # not reached: the last failure raised

    tab.goto = goto
    return tab
