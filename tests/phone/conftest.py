"""What the browser tests of the citizen's pages share: a phone's screen (390x844), a Debian
chromium for the module, a fresh tab a test, the screenshots' folder, and the test halls'
servers (tests/phone/hall.toml, and hall_mn.toml that lists Mongolian). A module that needs
another hall or screen defines its own fixture of the same name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, settled_tab, shots_folder
from tests.phone.test_phone_browser import HALL, HALL_MN, _hall_server
from tests.procs import ServerProcess

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from _hall_server(tmp_path_factory, HALL, "p1")


@pytest.fixture(scope="module")
def mn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from _hall_server(tmp_path_factory, HALL_MN, "p2")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shots_folder(tmp_path_factory.mktemp("shots"))


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**PHONE)
    tab = settled_tab(context.new_page())
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
