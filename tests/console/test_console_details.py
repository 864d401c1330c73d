"""The console's details at 1366x768 in a real browser (Debian's chromium) against
`python -m queue_server`, the hall seeded as tests/console/test_console_browser.py seeds it and
given English names (`name_en`): in English the hall's, services' and counters' English names;
a focus ring one can see on the dark-blue bar; buttons that never wrap inside; the offline
notice clear of the navigation; the appeals with the rating's service, counter and comment;
the deadline banner's numbers with their day; a dialog closed with Escape leaves the page and
settles. Screenshots go to $KUAIBAN_SCREENSHOTS (or the test's folder)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console.conftest import served
from tests.console.test_console_browser import log_in, new_page, seed
from tests.procs import TEST_HALL, ServerProcess

pytestmark = pytest.mark.slow
ENGLISH = {'name = "测试政务服务中心"': "Test Government Service Center",
           'name = "综合业务"': "General affairs", 'name = "1号窗口"': "Counter 1",
           'name = "审批1"': "Approval 1"}


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict]]:
    tmp = tmp_path_factory.mktemp("console-details")
    text = TEST_HALL.read_text(encoding="utf-8")
    for line, english in ENGLISH.items():
        text = text.replace(line, f'{line}\nname_en = "{english}"', 1)
    config = tmp / "hall.toml"
    config.write_text(text, encoding="utf-8")
    yield from served(tmp, seed, config)




@pytest.fixture()
def page(hall: tuple[ServerProcess, dict], browser: Any) -> Iterator[Any]:
    tab = new_page(browser, hall[0])
    log_in(tab)
    tab.wait_for_selector("#app:not([hidden])")
    yield tab
    tab.context.close()


def test_english_shows_the_halls_english_names(page: Any, shots: Path) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#hall-name")).to_have_text("测试政务服务中心")
    page.locator(".top .lang-switch").click()
    expect(page.locator("#hall-name")).to_have_text("Test Government Service Center")
    expect(page.locator("#counters")).to_contain_text("W01 Counter 1")
    expect(page.locator("#counters")).to_contain_text("W02 2号窗口")  # no name_en: as it is
    page.click("a[data-page=ratings]")
    expect(page.locator("#ratings")).to_contain_text("General affairs")
    expect(page.locator("#ratings")).not_to_contain_text("综合业务")
    expect(page.locator("#ratings")).to_contain_text("W01 Counter 1")
    page.screenshot(path=str(shots / "console-en-ratings-1366x768.png"))
    page.click("a[data-page=live]")
    page.locator(".top .lang-switch").click()  # back to Chinese for the next test
    expect(page.locator("#hall-name")).to_have_text("测试政务服务中心")


def test_the_keyboard_focus_shows_on_the_navigation(page: Any, shots: Path) -> None:
    page.locator("a[data-page=cases]").focus()
    page.keyboard.press("Tab")  # focus-visible: the keyboard moved it
    focused = page.evaluate("""() => { const n = document.activeElement, s = getComputedStyle(n);
        return {page: n.dataset.page, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                color: s.outlineColor}; }""")
    assert focused["page"] == "ratings", focused
    assert focused["style"] == "solid" and focused["width"] >= 2, focused
    assert focused["color"] == "rgb(255, 213, 79)", focused  # light on the dark blue bar
    page.screenshot(path=str(shots / "console-focus-1366x768.png"))


def test_row_buttons_do_not_wrap_and_the_offline_notice_leaves_the_nav_free(
        page: Any, shots: Path) -> None:
    page.click("a[data-page=followups]")
    page.wait_for_selector("#followups button[data-action]")
    buttons = page.eval_on_selector_all("#followups button[data-action], .toolbar button", """
        ns => ns.map(n => ({text: n.textContent, ws: getComputedStyle(n).whiteSpace,
                            h: n.getBoundingClientRect().height,
                            line: parseFloat(getComputedStyle(n).lineHeight) || 20}))""")
    assert buttons
    for b in buttons:
        assert b["ws"] == "nowrap" and b["h"] < 2 * b["line"], b
    page.evaluate("document.getElementById('offline').hidden = false")
    overlap = page.evaluate("""() => {
        const o = document.getElementById('offline').getBoundingClientRect();
        return [...document.querySelectorAll('.top a, .top button')].filter(n => {
            const r = n.getBoundingClientRect();
            return r.width && !(r.right <= o.left || r.left >= o.right || r.bottom <= o.top
                                || r.top >= o.bottom); }).map(n => n.textContent); }""")
    assert overlap == []
    page.screenshot(path=str(shots / "console-offline-notice-1366x768.png"))
    page.evaluate("document.getElementById('offline').hidden = true")


def test_appeals_show_the_ratings_service_counter_and_comment(page: Any, shots: Path) -> None:
    from playwright.sync_api import expect

    page.click("a[data-page=appeals]")
    table = page.locator("#appeals")
    for head in ("事项", "窗口", "群众意见"):
        expect(table.locator("th", has_text=head)).to_have_count(1)
    row = table.locator("tbody tr").first
    expect(row).to_contain_text("按错了")  # the rating's comment
    expect(row).to_contain_text("综合业务")
    expect(row).to_contain_text("W01")
    page.screenshot(path=str(shots / "console-appeals-1366x768.png"))


def test_the_deadline_banner_says_the_cases_day(page: Any, hall: tuple[ServerProcess, dict]
                                               ) -> None:
    number = hall[1]["case"]
    alert = page.locator("#alerts .alert", has_text=number)
    alert.wait_for()
    assert re.search(rf"{number}\(\d\d-\d\d\)", alert.inner_text()), alert.inner_text()


def test_escape_closes_a_dialog_for_good(page: Any) -> None:
    page.evaluate("""() => { window.answer = "open";
        Console.ctx.dialog({title: ["试", "Try"], fields: [{name: "note", zh: "说明", en: "Note"}]})
            .then((v) => { document.body.dataset.answer = v === null ? "null" : "values"; });
        }""")
    page.wait_for_selector("dialog[open]")
    page.keyboard.press("Escape")
    # (wait_for_function evaluates a string in the page: the console's CSP forbids that)
    page.wait_for_selector("body[data-answer=null]", state="attached")
    assert page.locator("dialog").count() == 0
    page.click("a[data-page=followups]")
    page.locator("#followups button[data-action]").first.click()
    page.wait_for_selector("dialog[open]")
    page.locator("dialog button.secondary").click()  # 取消: the same
    page.wait_for_selector("dialog", state="detached")
