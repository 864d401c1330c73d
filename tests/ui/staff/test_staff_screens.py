"""`--screens` of the staff roles: every state in zh and en rendered to PNG offscreen, with
sample data and no server; each picture has content (not one flat colour)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

EXPECTED = {"counter": 42, "display": 24, "pad": 14}  # counter: 过号重排 3, 补正 2 a language
LANGS = {"counter": {"zh", "en"}, "display": {"zh", "en", "mn"}, "pad": {"zh", "en"}}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_screen_is_rendered(qapp: QApplication, tmp_path: Path, role: str) -> None:
    module = importlib.import_module(f"ui.roles.{role}")
    assert module.render_screens(qapp, tmp_path, role) == 0
    files = sorted(tmp_path.glob("*.png"))
    assert len(files) == EXPECTED[role]
    assert {f.stem.rsplit("-", 1)[-1] for f in files} == LANGS[role]
    for f in files:
        img = QImage(str(f))
        assert img.width() >= 400 and img.height() >= 150, f.name
        colours = {img.pixel(x, y) for x in range(0, img.width(), 37)
                   for y in range(0, img.height(), 23)}
        assert len(colours) > 3, f"{f.name} looks blank"


def test_one_language_at_a_size_with_a_halls_data(qapp: QApplication, tmp_path: Path) -> None:
    """`--screens DIR --size 1366x768 --hall examples/hjhq.toml --lang en` (contract §1)."""
    from kiosk.sample_hall import RenderOptions, load_hall_sample

    root = Path(__file__).resolve().parents[3]
    hall = load_hall_sample(root / "examples" / "hjhq.toml")
    options = RenderOptions(size=(1366, 768), hall=hall, langs=("en",))
    module = importlib.import_module("ui.roles.counter")
    assert module.render_screens(qapp, tmp_path, "counter", options) == 0
    files = sorted(tmp_path.glob("*.png"))
    assert len(files) == EXPECTED["counter"] // 2
    assert all(f.stem.endswith("-en-1366x768") for f in files)


def test_the_screens_options_are_checked(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    from kiosk.__main__ import main

    for argv in (["--size", "1080x1920"], ["--screens", str(tmp_path), "--size", "1080"]):
        with pytest.raises(SystemExit) as ended:
            main(["--role", "counter", *argv])
        assert ended.value.code == 2
    assert main(["--role", "counter", "--screens", str(tmp_path),
                 "--hall", str(tmp_path / "none.toml")]) == 2
    assert "none.toml" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_counter_pad_fits_a_1366x768_screen(qapp: QApplication, lang: str) -> None:
    """Every state of the pad at the counters' size with the example hall stays 768 px high,
    with a bank branch's mark and the 证照寄送 button shown too (the pad came out 773 px, then
    823 px once the button was laid out while hidden: the bottom row of buttons off screen)."""
    from kiosk import sample_staff as sample
    from kiosk.sample_hall import load_hall_sample
    from ui.roles.counter import sample_page
    from ui.screens import settle
    from ui.staff.counter_pad import CounterWindow

    root = Path(__file__).resolve().parents[3]
    hall = load_hall_sample(root / "examples" / "hjhq.toml")
    for state in sample.COUNTER_STATES:
        model = sample.counter_model(state, sample_page, hall)
        window = CounterWindow(model, lang)  # (the model's view is made again in its language)
        if state == "serving" and model.current is not None:
            model.current.origin, model.current.mail_offered = "branch", True
            model.current.branch_pages = 2
        window.resize(1366, 768)
        window.show()
        model.changed.emit()  # the window and its panels redraw from the model
        settle(qapp)
        assert window.height() <= 768, (state, window.height())
        if state == "serving":
            assert window.ticket.delivery.isVisible() and window.ticket.origin.isVisible()
        window.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("height", [768, 747])
def test_a_declared_priority_fits_a_1366x768_screen(qapp: QApplication, lang: str,
                                                    height: int) -> None:
    """A ticket whose citizen declared a priority (the buttons to judge it), with a masked ID,
    a deadline (provisional), recalls, a branch's mark and 证照寄送, at 768 px and at the 747
    px a maximized pad keeps under its title bar: the pad once grew to 798 px with it, the
    F7-F12 row off the screen and B002's 身份 row clipped. Every row of the ticket is whole
    and every action button is on the screen."""
    from datetime import timedelta

    from kiosk import sample_staff as sample
    from kiosk.counter_view import ticket_view
    from kiosk.sample_hall import load_hall_sample
    from queue_server import wire
    from ui.roles.counter import sample_page
    from ui.screens import settle
    from ui.staff.counter_pad import CounterWindow

    root = Path(__file__).resolve().parents[3]
    hall = load_hall_sample(root / "examples" / "hjhq.toml")
    for state in ("called", "serving"):
        model = sample.counter_model(state, sample_page, hall)
        assert model.state is not None and model.state.current is not None
        t = model.state.current
        t.number, t.priority, t.priority_reason, t.priority_declared = "B002", True, \
            "pregnant", True
        t.masked_name, t.masked_id = "欧阳**", "150************1234"
        t.deadline, t.deadline_provisional = sample.COUNTER_NOW - timedelta(days=2), True
        model.current = ticket_view(t, model.services, sample.COUNTER_NOW)
        model.state.held = [wire.HeldTicket(id=f"h{i}", number=f"A00{i}", service=t.service)
                            for i in (1, 2, 3)]
        window = CounterWindow(model, lang)
        current = model.current
        assert current is not None
        current.origin, current.mail_offered, current.branch_pages = "branch", True, 2
        current.recalls = 2 if state == "called" else 0
        current.documents = [wire.DocumentOut(id=i, ticket=t.id, page=i, size=1,
                                              content_type="image/jpeg",
                                              created_at=sample.COUNTER_NOW) for i in (1, 2, 3)]
        window.resize(1366, height)
        window.show()
        model.changed.emit()
        settle(qapp)
        assert window.height() <= height, (state, window.height())
        assert window.ticket.confirm.isVisible() and window.ticket.deny.isVisible()
        details = window.details
        assert details.heightForWidth(details.width()) <= details.height(), (
            state, details.heightForWidth(details.width()), details.height())
        assert "150************1234" in details.text() and window.number.text() == "B002"
        for handler, btn in window.buttons.items():
            if handler == "ask_papers" and model.state.zone != "approval":
                assert not btn.isVisible()  # 补正: an approval post's only
                continue
            bottom = btn.mapTo(window, btn.rect().bottomLeft()).y()
            assert btn.isVisible() and bottom < window.height(), (state, btn.text(), bottom)
        if state == "called":
            assert ("已重呼 2 次" if lang == "zh" else "recalled 2×") in details.text()
        window.close()


def test_the_pad_offers_no_recall_or_pass_where_nobody_waits(qapp: QApplication) -> None:
    """重呼 and 过号 are refused (409 not_in_person) at an approval post, whatever the ticket,
    and before pickup for a bank branch's application: the pad greys them (it offered them at
    an approval post, where 过号 ended the application; an outside check)."""
    from kiosk import sample_staff as sample
    from ui.roles.counter import sample_page

    model = sample.counter_model("called", sample_page)
    assert model.state is not None and model.current is not None
    assert {"recall", "no-show"} <= model.allowed()
    for zone, origin, offered in (("approval", None, False), ("intake", "branch", False),
                                  ("pickup", "branch", True), ("pickup", None, True)):
        model.state.zone, model.current.origin = zone, origin
        assert ({"recall", "no-show"} <= model.allowed()) is offered, (zone, origin)


def test_an_approval_post_counts_cases_and_long_waits_read(qapp: QApplication) -> None:
    """At an approval post 等候人数（共 61 人） counted cases as people, and a case nine days
    in approval read 等候时长 12960 分钟."""
    from kiosk import sample_staff as sample
    from ui.roles.counter import sample_page
    from ui.screens import settle
    from ui.staff.counter_pad import CounterWindow
    from ui.staff.ticket_panel import waited_words

    assert [waited_words(m, "zh") for m in (23, 61, 12960)] == [
        "23 分钟", "1 小时 1 分钟", "9 天 0 小时"]
    assert waited_words(1500, "en") == "1 d 1 h"
    model = sample.counter_model("serving", sample_page)
    assert model.state is not None
    window = CounterWindow(model, "zh")
    for zone, words in (("intake", "等候人数（共"), ("approval", "待办案件（共")):
        model.state.zone = zone
        model.changed.emit()
        settle(qapp)
        assert words in window.waiting_title.text(), window.waiting_title.text()
    window.close()


@pytest.mark.parametrize("lang", ["zh", "en", "mn"])
def test_an_approval_post_has_its_papers_button_on_the_screen(qapp: QApplication,
                                                              lang: str) -> None:
    """补正 (Shift+F7) takes the place of 重呼 and 过号 at an approval post (nobody waits there
    to be recalled or passed): every button is on a maximized pad's 747 px, in the longer
    language too."""
    from kiosk import sample_staff as sample
    from ui.roles.counter import sample_page
    from ui.screens import settle
    from ui.staff.counter_pad import CounterWindow

    model = sample.counter_model("serving", sample_page)
    assert model.state is not None and model.current is not None
    model.state.zone = "approval"
    window = CounterWindow(model, lang)
    window.resize(1366, 747)
    window.show()
    model.changed.emit()
    settle(qapp)
    assert "supplement" in model.allowed() and window.buttons["ask_papers"].isEnabled()
    assert window.height() <= 747
    for handler, btn in window.buttons.items():
        if handler in ("recall", "no_show"):  # nobody waits at a post to recall or pass
            assert not btn.isVisible()
            continue
        bottom = btn.mapTo(window, btn.rect().bottomLeft()).y()
        assert btn.isVisible() and bottom < window.height(), (btn.text(), bottom)
    window.close()
