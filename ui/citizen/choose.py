"""Screens where the citizen looks and chooses: attract, the service list (categories, pinyin
search with an on-screen keyboard, pages), a service's papers list and wait, and the offline
screen that keeps the papers lists readable while numbers are paused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.flow import KioskFlow
from ui.citizen.mongol import (
    BandedName,
    band_button,
    band_in_tile,
    mongolian_line,
    mongolian_name,
    mongolian_words,
    say,
    shown_lang,
    tr,
)
from ui.citizen.tiles import FitTile
from ui.i18n import ELDERLY_REASONS, pick, zone_name
from ui.theme import ELDERLY, px
from ui.widgets import button, clear_layout, label
from ui.widgets.basic import set_role, tall
from ui.widgets.flow import FlowLayout
from ui.widgets.mongol_layout import BandRule

ZONE_ORDER = ("consult", "intake", "approval", "pickup")
KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


ENGLISH_LINE = 28  # characters of an English name on a tile's line, until the tile has a size


def english_name(service: Any) -> str:
    """The service's English name as the hall gave it (`name_en`), or one made of its code."""
    return str(getattr(service, "name_en", None) or service.code.replace("-", " ").capitalize())


def _broken(text: str, fits: Callable[[str], bool]) -> list[str]:
    """`text` in lines that fit, broken between words (a word too long alone keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}"):
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def calls_from_text(flow: KioskFlow, start: datetime) -> str:
    """When calling starts (a number taken while the hall is closed): the time, and the day
    when it is not today in the hall's time zone."""
    return tr("calls_from", flow.lang, when=_when(flow, start))


def opens_later(flow: KioskFlow, service: Any) -> datetime | None:
    """When calling starts for a number of `service` taken now, in the hall's time, while the
    hall is closed (`calls_from` of the services list); None while it is open."""
    start = getattr(service, "calls_from", None)
    if start is None:
        return None
    start = flow.local(start)
    return start if start > flow.now() else None  # a list read before the doors opened


def hall_opens(flow: KioskFlow) -> datetime | None:
    """While the hall is closed (the 24-hour room at night, a closed day): when it opens and
    calling starts, from the services as last loaded; None while it is open."""
    return min(filter(None, (opens_later(flow, s) for s in flow.all_services())), default=None)


def nobody_here(flow: KioskFlow) -> str:
    """"No staff now: they are here from …" while the hall is closed, for the words that send
    a citizen to the staff (at 22:30 nobody is there to ask; an outside check), else ""."""
    start = hall_opens(flow)
    return tr("staff_from", flow.lang, when=_when(flow, start)) if start else ""


def _when(flow: KioskFlow, start: datetime) -> str:
    """`start` as calls_from_text says it: the time, with the day when it is not today."""
    lang = shown_lang(flow.lang)
    when = f"{start:%H:%M}"
    if start.date() != flow.now().date():
        when = (f"{start.month}月{start.day}日 {when}" if lang == "zh"
                else f"{when} on {start:%Y-%m-%d}")
    return when


def unavailable(service: Any, lang: str) -> str:
    """Why a service takes no number now: today's numbers all given out (its `daily_cap`
    reached: `remaining_today` 0), else paused or closed."""
    return tr("sold_out" if service.remaining_today == 0 else "closed_now", lang)


def service_text(service: Any, lang: str, with_wait: bool = True, *, narrow: bool = False,
                 fits: Callable[[str], bool] | None = None) -> str:
    """The service's name, its English name in English and its wait. `fits(line)`: whether a
    line fits the tile (a button never wraps: "Real estate mortgage registration" lost its
    end). The English name is never cut (an outside check: English tiles were cut at
    1920x1080): a wide tile (three to a row, two lines high) puts the wait beside the Chinese
    name and gives the English name the second line to itself; a `narrow` tile (an upright
    kiosk's, room for three lines) breaks a long English name between words and puts the wait
    after its last line where it fits, else beside the Chinese name. A tile made with `shrink`
    takes a smaller font where a line is still too long (`english_shrinks`)."""
    fits = fits or (lambda line: len(line) <= ENGLISH_LINE)
    sub = english_name(service) if lang == "en" else ""
    wait = tr("waiting_in", lang, n=service.waiting) if with_wait else ""
    if not service.open:
        wait = unavailable(service, lang)
    head = "  ·  ".join(x for x in (service.name, wait) if x)
    if not narrow:
        if sub:
            return f"{head}\n{sub}"
        return f"{service.name}\n{wait}" if wait else service.name
    lines = _broken(sub, fits) if sub else []
    if wait and len(lines) > 1 and fits(f"{lines[-1]}  ·  {wait}"):
        lines[-1] = f"{lines[-1]}  ·  {wait}"
    elif wait:
        lines.append(wait)
    if len(lines) > 2:  # three lines in all: the wait beside the Chinese name
        return "\n".join([head, *_broken(sub, fits)])
    return "\n".join([service.name, *lines])


def tile_band(service: Any, lang: str, with_wait: bool = True) -> str:
    """A service tile's Mongolian band in Mongolian mode, a column each: the hall's name of the
    service (`name_mn`) and, `with_wait`, its wait (or why it takes no number); "" otherwise."""
    if not with_wait:
        wait = ""
    elif service.open:
        wait = mongolian_words("waiting_in", lang, n=service.waiting)
    else:
        wait = mongolian_words("sold_out" if service.remaining_today == 0 else "closed_now", lang)
    return "\n".join(x for x in (mongolian_name(service, lang), wait) if x)


def category_mn(flow: KioskFlow, category: str) -> str:
    """A category's Mongolian name in Mongolian mode, where the hall gave one (`category_mn`);
    "" otherwise (the Chinese tab then stands alone)."""
    if flow.lang != "mn":
        return ""
    name = flow.category_name(category)
    return name if name != category else ""


def english_shrinks(lang: str) -> bool:
    """Tiles that carry an English name take a smaller font where a line is still too long:
    the name is shown whole, never cut."""
    return lang == "en"


def typing_text(service: Any, lang: str, elderly: bool) -> str:
    """A low tile under the search keyboard, two lines. In English the Chinese name and the wait
    share the first line and the English name has the second to itself, whole (a `FitTile`
    made with `shrink` takes a smaller font where it is too long); senior mode leaves out
    the wait."""
    wait = ""
    if not elderly:
        wait = tr("waiting_in", lang, n=service.waiting) if service.open else unavailable(service, lang)
    if lang != "en":
        return f"{service.name}\n{wait}" if wait else service.name
    first = "  ·  ".join(x for x in (service.name, wait) if x)
    return f"{first}\n{english_name(service)}"


def papers_text(service: Any, lang: str) -> str:
    """A service's papers, numbered; in English each with its English name (`materials_en`)
    under the Chinese one, the paper the staff will ask for."""
    english = (getattr(service, "materials_en", None) or []) if lang == "en" else []
    lines = []
    for i, paper in enumerate(service.materials, 1):
        lines.append(f"{i}. {paper}")
        if i <= len(english):
            lines.append(f"    {english[i - 1]}")
    return "\n".join(lines)


def papers_mn(service: Any, lang: str) -> str:
    """A service's papers in Mongolian (`materials_mn`), numbered, a paper a paragraph (its own
    column), in Mongolian mode; "" otherwise or where the hall has none."""
    names = (getattr(service, "materials_mn", None) or []) if lang == "mn" else []
    return "\n".join(f"{i}. {m}" for i, m in enumerate(names, 1) if m)


def facts_mn(service: Any, lang: str, minutes: int, start: datetime | None = None) -> str:
    """The detail's facts in Mongolian, a column each: the people ahead, the wait (when
    calling starts, `start`, while the hall is closed), the numbers left that day, the
    promised time limit; "" outside Mongolian mode."""
    lines = [mongolian_line(lang, "ahead", ("people", {"n": service.waiting})),
             mongolian_line(lang, ("calls_from", {"when": f"{start:%Y-%m-%d %H:%M}"})) if start
             else mongolian_line(lang, "est_wait", ("minutes", {"n": minutes}))]
    if service.remaining_today is not None:
        lines.append(mongolian_line(lang, ("remaining_then" if start else "remaining",
                                           {"n": service.remaining_today})))
    if service.time_limit_workdays:
        lines.append(mongolian_line(lang, ("time_limit", {"n": service.time_limit_workdays})))
    return "\n".join(x for x in lines if x)


def scrolling(inner: QWidget) -> QScrollArea:
    """`inner` in a frameless area that scrolls up and down when it is longer than its room;
    a finger drags it (the kiosk has no mouse wheel)."""
    area = QScrollArea()
    area.setWidget(inner)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setObjectName("scrolling")
    area.setStyleSheet("#scrolling, #scrolling > QWidget { background: transparent; }")
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return area


def priority_line(flow: KioskFlow) -> str:
    """A green-channel reason the citizen declared for this service, as its screen says it."""
    reason = flow.data.priority_reason
    if reason is None:
        return ""
    return tr("priority_chosen", flow.lang, reason=pick(ELDERLY_REASONS[reason], flow.lang))


class Screen(QWidget):
    """A page of the kiosk. `narrow` is true on an upright screen (about 1080 px wide): screens
    that lay out side by side on a landscape screen stack, and grids take fewer columns."""

    NARROW_PX = 1400

    def __init__(self, flow: KioskFlow) -> None:
        super().__init__()
        self.flow = flow
        self.narrow = False
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(40, 24, 40, 16)
        self.box.setSpacing(18)

    def refresh(self, flow: KioskFlow) -> None:
        raise NotImplementedError

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        narrow = self.width() < self.NARROW_PX
        if narrow != self.narrow:
            self.narrow = narrow
            side = 24 if narrow else 40  # an upright screen's width goes to the words
            self.box.setContentsMargins(side, 24, side, 16)
            self.relayout()

    def relayout(self) -> None:
        """The screen became narrow or wide: arrange it again (by default, nothing changes)."""


class AttractScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.welcome = label("", "huge", align=Qt.AlignmentFlag.AlignCenter)
        self.welcome_pair = BandedName(self.welcome, length=0, pixel_size=44, center=True,
                                       one_line=True)
        self.motto = label("", "muted", align=Qt.AlignmentFlag.AlignCenter)
        self.zones = QGridLayout()
        self.start_btn = band_button("", flow.start, "primary")
        tall(self.start_btn, 160)
        row = self.actions = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.checkin_btn = band_button("", flow.checkin.open)
        self.ask_btn = band_button("", lambda: flow.ask("ask"))
        self.rate_btn = band_button("", lambda: flow.ask("rate"))
        # senior mode within reach, beside the other actions: its switch at the top of an
        # upright screen is out of a wheelchair user's reach (an outside check)
        self.senior_btn = band_button("", lambda: flow.set_elderly(not flow.elderly))
        row.addWidget(self.checkin_btn)
        row.addWidget(self.ask_btn)
        row.addWidget(self.rate_btn)
        row.addWidget(self.senior_btn)
        self.box.addStretch(1)
        self.box.addWidget(self.welcome_pair)
        self.box.addWidget(self.motto)
        self.box.addStretch(1)
        self.box.addLayout(self.zones)
        self.box.addStretch(1)
        self.box.addWidget(self.start_btn)
        self.box.addLayout(row)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        say(self.welcome_pair, "welcome", lang)
        # while the hall is closed (the 24-hour room at night) the motto's line says so and
        # when calling starts: the home screen looked as by day (an outside check)
        start = hall_opens(flow)
        self.motto.setText(f"{tr('after_hours', lang)}  ·  {calls_from_text(flow, start)}"
                           if start else tr("motto", lang))
        set_role(self.motto, "notice" if start else "muted")
        # senior mode: less to read, more room (but never without the hours)
        self.motto.setVisible(not flow.elderly or start is not None)
        # senior mode on a landscape screen has no spare height: the printer's warning above
        # (ui.citizen.window) takes the greeting's room
        self.welcome_pair.setVisible(not (flow.printer_problem and flow.elderly and not self.narrow))
        self.actions.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                                  else QBoxLayout.Direction.LeftToRight)
        say(self.start_btn, "touch_start", lang)
        # a bank branch hands out no licences: no "collect" (取件) there
        say(self.checkin_btn, "checkin_btn_bank" if flow.role == "bank" else "checkin_btn", lang)
        say(self.ask_btn, "ask_status", lang)
        say(self.rate_btn, "rate_service", lang)
        say(self.senior_btn, "senior_btn", lang)
        # shown to turn senior mode on; in senior mode the bar's switch turns it off (four
        # buttons of senior mode's size do not fit a landscape row in English)
        self.senior_btn.setVisible(not flow.elderly)
        clear_layout(self.zones)
        waiting = flow.zone_waiting()
        zones = flow.zones()  # a bank branch: its own zones only
        cols = min(len(zones), 2 if self.narrow else len(ZONE_ORDER))
        for i, zone in enumerate(zones):
            card = QFrame()
            card.setObjectName("card")
            col = QVBoxLayout(card)
            col.addWidget(label(zone_name(zone, lang), align=Qt.AlignmentFlag.AlignCenter))
            count = label(tr("waiting_in", lang, n=waiting.get(zone, 0)), "title",
                          align=Qt.AlignmentFlag.AlignCenter)
            # Mongolian mode: the zone and its count in a band beside the count
            pair = BandedName(count, length=BandedName.LINES, pixel_size=22, center=True,
                              min_pixel_size=18)
            pair.set_mongolian("\n".join(x for x in (
                mongolian_words(f"zone_{zone}", lang),
                mongolian_words("waiting_in", lang, n=waiting.get(zone, 0))) if x))
            col.addWidget(pair)
            self.zones.addWidget(card, i // cols, i % cols)

    def relayout(self) -> None:
        self.refresh(self.flow)

    def mousePressEvent(self, _event: Any) -> None:
        self.flow.start()


class _TileArea(QWidget):
    """The services screen's tiles: grows into the spare height and says when it resized."""

    def __init__(self, resized: Callable[[], None]) -> None:
        super().__init__()
        self._resized = resized
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._resized()


class ServicesScreen(Screen):
    GAP, MIN_GAP = 14, 4  # between rows of tiles: usually, and where one more row fits

    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        # its two words fit its line at a smaller size: the tiles keep the height below
        self.title_pair = BandedName(self.title, length=0, min_pixel_size=18)
        # one line, no higher: an upright screen's spare room goes to the tiles, not above them
        self.title_pair.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        top = self.top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        search = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setReadOnly(True)  # typed on the screen keyboard; no system keyboard
        self.query.installEventFilter(self)  # a tap on the field opens that keyboard
        self.search_btn = button("", self._toggle_keyboard)
        top.addWidget(self.title_pair)
        search.addWidget(self.query, 1)
        search.addWidget(self.search_btn)
        top.addLayout(search, 1)
        self.categories = FlowLayout(spacing=10)  # tabs in rows: as many as the width holds
        # The tiles take the screen's spare height (not the tabs above them), and a page holds
        # as many rows of tiles as that height fits: an upright screen shows more a page.
        self.tiles = _TileArea(self._fit_page)
        self.grid = QGridLayout(self.tiles)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(self.GAP)
        right = QVBoxLayout()
        right.addWidget(self.tiles, 1)
        pager = QHBoxLayout()
        self.prev_btn = band_button("", lambda: flow.turn_page(-1))
        self.page_lbl = label("", "muted", align=Qt.AlignmentFlag.AlignCenter)
        # its band in one column, as long as it needs (beside a short line it was too short
        # to read)
        self.page_pair = BandedName(self.page_lbl, length=0, pixel_size=22, min_pixel_size=18,
                                    center=True, columns=1)
        self.next_btn = band_button("", lambda: flow.turn_page(1))
        for w in (self.prev_btn, self.page_pair, self.next_btn):
            w.setSizePolicy(QSizePolicy.Policy.Expanding, w.sizePolicy().verticalPolicy())
            pager.addWidget(w, 1)
        right.addLayout(pager)
        self.keyboard = self._keyboard()
        self.box.addLayout(top)
        self.box.addLayout(self.categories)
        self.box.addLayout(right, 1)
        self.box.addWidget(self.keyboard)

    def _keyboard(self) -> QWidget:
        pad = QWidget()
        rows = QVBoxLayout(pad)
        rows.setContentsMargins(0, 0, 0, 0)
        for i, keys in enumerate(KEYS):
            row = QHBoxLayout()
            keys_row = [button(k.upper(), lambda k=k: self._type(k), "key") for k in keys]
            if i == 2:
                keys_row.append(button("⌫", lambda: self.flow.set_query(
                    self.flow.data.query[:-1]), "key"))
                # the pages of the results, on the keyboard: a pager row of its own left the
                # keyboard no room (senior mode, landscape, more results than a page holds)
                self.kb_prev = button("◀", lambda: self.flow.turn_page(-1), "key")
                self.kb_next = button("▶", lambda: self.flow.turn_page(1), "key")
                keys_row += [self.kb_prev, self.kb_next]
                self.clear_btn = button("", lambda: self.flow.set_query(""), "key")
                keys_row.append(self.clear_btn)
            for key in keys_row:  # as wide as the screen allows, up to a keyboard's key
                key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                if key is not getattr(self, "clear_btn", None):  # a word: as wide as it needs
                    key.setMaximumWidth(120)
                row.addWidget(key)
            rows.addLayout(row)
        pad.hide()
        return pad

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 (Qt's name)
        if (watched is self.query and event.type() == QEvent.Type.MouseButtonPress
                and not self.keyboard_on):
            self._toggle_keyboard()
            return True
        return super().eventFilter(watched, event)

    @property
    def keyboard_on(self) -> bool:
        """The keyboard is the visitor's (`flow.data.keyboard`): the next one starts without."""
        return self.flow.data.keyboard

    @keyboard_on.setter
    def keyboard_on(self, on: bool) -> None:
        self.flow.data.keyboard = on

    def _type(self, key: str) -> None:
        self.flow.set_query(self.flow.data.query + key)

    def _toggle_keyboard(self) -> None:
        self.flow.set_keyboard(not self.flow.data.keyboard)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        say(self.title_pair, "choose_service", lang)
        self.query.setText(flow.data.query)
        self.query.setPlaceholderText(tr("search_hint", lang))
        self.search_btn.setText(tr("search", lang))
        self.clear_btn.setText(tr("clear", lang))
        self.keyboard.setVisible(self.keyboard_on)
        # rebuild the buttons only when what they show changed: a touch never meets a tile that
        # a background refresh (live waiting counts) is replacing
        shown = (lang, flow.elderly, self.keyboard_on, flow.data.category, flow.data.query,
                 flow.page, [(s.code, s.waiting, s.open, s.remaining_today) for s in flow.page_services()],
                 flow.categories())
        shown += (self.narrow,)
        if shown == getattr(self, "_shown", None):
            return
        self._shown = shown
        clear_layout(self.categories)
        if self.keyboard_on:  # searching covers every category; the keyboard needs the room
            self._fill_grid(flow)
            return
        cats: list[tuple[str | None, str]] = [(None, tr("all", lang))]
        # in Mongolian mode the tabs keep their Chinese names (a vertical band would not fit)
        cats += [(c, flow.category_name(c) if lang == "en" else c) for c in flow.categories()]
        if flow.elderly:
            cats = []  # fewer choices: one list, in big tiles, page by page
        for code, text in cats:
            b = band_button(text, lambda c=code: flow.choose_category(c))
            # Mongolian mode: "all" in the kiosk's words, a category where the hall named it
            b.set_mongolian(mongolian_words("all", lang) if code is None
                            else category_mn(flow, code))
            chosen = flow.data.category == code and not flow.data.query
            set_role(b, "selected" if chosen else "")
            self.categories.addWidget(b)
        self._fill_grid(flow)

    def _fill_grid(self, flow: KioskFlow) -> None:
        lang = flow.lang
        clear_layout(self.grid)
        cols = (2 if flow.elderly else 3) - (1 if self.narrow else 0)
        items = flow.page_services()
        for i, s in enumerate(items):
            typing = self.keyboard_on  # the keyboard takes half the screen: low tiles
            tile = FitTile(lambda fits, s=s, typing=typing: (
                # low tiles under the keyboard: two lines, the English name whole
                typing_text(s, lang, flow.elderly) if typing
                else service_text(s, lang, narrow=self.narrow, fits=fits)),
                lambda c=s.code: flow.choose_service(c), shrink=typing or english_shrinks(lang))
            tall(tile, (110 if typing else 190) if flow.elderly else 120)
            # the wait's column too where a tile is wide (an upright one's band has no room)
            band_in_tile(tile, tile_band(s, lang, not self.narrow), flow.elderly)
            self.grid.addWidget(tile, i // cols, i % cols)
        if not items:
            self.grid.addWidget(label(tr("no_match", lang), "muted"), 0, 0)
        rows = -(-len(items) // cols) if items else 1
        for r in range(max(self.grid.rowCount(), rows + 1)):  # a grid never forgets rows
            self.grid.setRowStretch(r, 1 if r == rows else 0)  # the tiles at the top, spare below
        pages = flow.page_count()
        for w in (self.prev_btn, self.page_pair, self.next_btn):
            w.setVisible(not self.keyboard_on)  # with the keyboard: its arrow keys
        for key, step in ((self.kb_prev, -1), (self.kb_next, 1)):
            key.setVisible(self.keyboard_on and pages > 1)
            key.setEnabled(0 <= flow.page + step < pages)
        say(self.page_pair, "page", lang, p=flow.page + 1, n=pages)
        say(self.prev_btn, "prev", lang)
        say(self.next_btn, "next", lang)
        self.prev_btn.setEnabled(flow.page > 0)
        self.next_btn.setEnabled(flow.page + 1 < pages)
        self._fit_page()

    def _fit_page(self) -> None:
        """Fit a page to the tiles' height: as many rows of the tallest tile shown as it holds
        with at least `MIN_GAP` between them (the gap grows back to `GAP` where there is room).
        When that changes the page, the grid is filled again in a later turn of the event loop
        (this may run inside a layout pass, where widgets are not replaced)."""
        height = self.tiles.height()
        shown = [w for i in range(self.grid.count())
                 if isinstance(w := self.grid.itemAt(i).widget(), FitTile)]
        if height <= 0 or not shown:
            return
        cols = (2 if self.flow.elderly else 3) - (1 if self.narrow else 0)
        tile = max(w.sizeHint().height() for w in shown)
        rows = max(1, (height + self.MIN_GAP) // (tile + self.MIN_GAP))
        gap = self.GAP if rows == 1 else (height - rows * tile) // (rows - 1)
        self.grid.setVerticalSpacing(max(self.MIN_GAP, min(self.GAP, gap)))
        if self.flow.fit_page(rows * cols):
            QTimer.singleShot(0, lambda: self.refresh(self.flow))

    def relayout(self) -> None:
        """Upright: the heading on a line of its own, the search field and button under it."""
        self.top.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                              else QBoxLayout.Direction.LeftToRight)
        self.refresh(self.flow)


class DetailScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.name = label("", "big")
        self.facts = label("", "title")
        self.limit = label("", "muted")
        self.hint = label("", "notice")
        paper = QFrame()
        paper.setObjectName("card")
        col = QVBoxLayout(paper)
        self.head = label("", "title")
        self.head_pair = BandedName(self.head, length=0)
        self.papers = label("")
        # the papers' Mongolian names (a service's materials_mn), one column or more a paper
        self.papers_pair = BandedName(self.papers, length=300, pixel_size=28)
        self.papers_pair.band.set_rule(BandRule(pixel_size=28, min_pixel_size=28))
        self.papers_pair.band.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        inner = QWidget()
        inner.setObjectName("papers")
        inner.setStyleSheet("#papers { background: transparent; }")
        lines = QVBoxLayout(inner)
        lines.setContentsMargins(0, 0, 0, 0)
        lines.addWidget(self.papers_pair)
        lines.addStretch(1)
        col.addWidget(self.head_pair)
        col.addWidget(scrolling(inner), 1)  # a long papers list scrolls inside its card
        self.banded = BandedName(self.name)  # with its Mongolian band where the hall has one
        facts = QWidget()
        facts.setObjectName("facts")
        facts.setStyleSheet("#facts { background: transparent; }")
        left = QVBoxLayout(facts)  # the name heads the whole screen: the width of one line
        left.setContentsMargins(0, 0, 0, 0)
        # the facts and the hint with their Mongolian (a column a fact) in Mongolian mode:
        # how many wait and how long are what a citizen reads first
        # (the facts' band as long as their lines: the column has no height to spare upright,
        # where the papers' card shares it)
        self.facts_pair = BandedName(self.facts, length=BandedName.LINES, pixel_size=24)
        self.hint_pair = BandedName(self.hint, length=0, pixel_size=24)
        for w in (self.facts_pair, self.limit):
            left.addWidget(w)
        left.addStretch(1)
        left.addWidget(self.hint_pair)
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.addWidget(scrolling(facts), 1)  # longer words scroll rather than spill
        row.addWidget(paper, 1)
        self.row = row
        self.box.addWidget(self.banded)
        self.buttons = QGridLayout()
        self.priority_btn = band_button("", flow.ticketing.ask_priority)
        self.scan_btn = band_button("", lambda: flow.take_number(scan_first=True))
        self.card_btn = band_button("", lambda: flow.take_number(with_card=True))
        self.take_btn = band_button("", flow.take_number, "primary")
        self.box.addLayout(row, 1)
        self.box.addLayout(self.buttons)
        self._placed: tuple[object, ...] = ()
        self.relayout()

    def relayout(self) -> None:
        """Side by side on a landscape screen; on an upright one the papers go under the facts
        and the buttons take two rows (each its full words)."""
        self.row.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                              else QBoxLayout.Direction.LeftToRight)
        self._place_buttons()

    def _place_buttons(self) -> None:
        """The shown buttons in one row on a landscape screen; upright, two a row, and the
        take-a-number button on a row of its own when the row would have one more."""
        order = [b for b in (self.priority_btn, self.scan_btn, self.card_btn, self.take_btn)
                 if not b.isHidden()]
        placed = (self.narrow, *order)
        if placed == self._placed:
            return
        self._placed = placed
        for b in (self.priority_btn, self.scan_btn, self.card_btn, self.take_btn):
            self.buttons.removeWidget(b)
        for c in range(4):
            self.buttons.setColumnStretch(c, 0)
        if not self.narrow:
            for i, b in enumerate(order):
                self.buttons.addWidget(b, 0, i)
            return
        others, take = order[:-1], order[-1:]
        for i, b in enumerate(others):
            self.buttons.addWidget(b, i // 2, i % 2, 1, 2 if len(others) == 1 else 1)
        rows = -(-len(others) // 2)
        for b in take:
            self.buttons.addWidget(b, rows, 0, 1, 2)

    def refresh(self, flow: KioskFlow) -> None:
        lang, s = flow.lang, flow.service
        if s is None:
            for w in (self.name, self.facts, self.limit, self.papers, self.hint):
                w.setText("")
            for pair in (self.banded, self.papers_pair, self.facts_pair, self.hint_pair):
                pair.set_mongolian("")
            return
        self.name.setText(s.name + (f"  ({english_name(s)})" if lang == "en" else ""))
        self.banded.set_mongolian(mongolian_name(s, lang))
        minutes = max(1, round(s.estimated_wait_s / 60)) if s.waiting else 0
        start = opens_later(flow, s)  # the hall is closed: say when calling starts
        facts = f"{tr('ahead', lang)}: {tr('people', lang, n=s.waiting)}\n" + (
            calls_from_text(flow, start) if start else
            f"{tr('est_wait', lang)}: {tr('minutes', lang, n=minutes)}")
        if s.remaining_today is not None:
            facts += "\n" + tr("remaining_then" if start else "remaining", lang,
                                n=s.remaining_today)
        # senior mode: the facts a size under the heading's (still over the standard one), so
        # longer words keep to the screen (set before the text: the band measures the name)
        self.facts.setStyleSheet(f"font-size: {px(ELDERLY, 1.25)}px;" if flow.elderly else "")
        self.facts_pair.set_name(facts)
        self.facts_pair.set_mongolian(facts_mn(s, lang, minutes, start))
        self.facts_pair.setVisible(flow.online)
        self.limit.setText(tr("time_limit", lang, n=s.time_limit_workdays)
                           if s.time_limit_workdays else "")
        say(self.head_pair, "materials" if s.materials else "no_materials", lang)
        self.papers.setText(papers_text(s, lang))
        self.papers_pair.set_mongolian(papers_mn(s, lang))
        can = flow.online and s.open
        say(self.take_btn, "take_with_card" if s.requires_id_card else "take_number", lang)
        say(self.card_btn, "take_with_card", lang)
        say(self.scan_btn, "scan_first", lang)
        self.take_btn.setVisible(can)
        # senior mode keeps the card (priority for 70+) and drops the camera: fewer choices
        self.card_btn.setVisible(can and not s.requires_id_card and flow.has_device("idcard"))
        self.scan_btn.setVisible(can and flow.has_device("camera") and bool(s.materials)
                                 and not flow.elderly)
        age = flow.priority_age  # the hall's own (it said 70 whatever the hall set)
        hint = tr("needs_card", lang) if s.requires_id_card else tr("card_priority_hint", lang,
                                                                    age=age)
        chosen = priority_line(flow)
        closed = unavailable(s, lang) if flow.online and not s.open else ""
        self.hint_pair.set_name((chosen or hint) if can else closed or tr("offline_title", lang))
        hint_key = "needs_card" if s.requires_id_card else "card_priority_hint"
        self.hint_pair.set_mongolian(mongolian_words(hint_key, lang, age=age) if can
                                     and not chosen else "")
        say(self.priority_btn, "priority_btn", lang)
        self.priority_btn.setVisible(can)
        self._place_buttons()


class OfflineScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "big", align=Qt.AlignmentFlag.AlignCenter)
        self.body = label("", align=Qt.AlignmentFlag.AlignCenter)
        self.status = label("", "notice", align=Qt.AlignmentFlag.AlignCenter)
        self.grid = QGridLayout()
        for w in (self.title, self.body, self.status):
            self.box.addWidget(w)
        self.box.addLayout(self.grid, 1)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        self.title.setText(tr("offline_title", lang))
        first, _, rest = tr("offline_body", lang).partition("\n")  # "or ask the staff": when
        self.body.setText("\n".join(x for x in (first, nobody_here(flow), rest) if x))
        # the number being taken when the server went away is taken once it is back
        self.status.setText(tr("resume_pending" if flow.ticketing.pending() else "reconnecting",
                               lang))
        clear_layout(self.grid)
        cols = (2 if flow.elderly else 4) // (2 if self.narrow else 1)
        limit = 6 if flow.elderly else 16
        for i, s in enumerate(flow.all_services()[:limit]):
            tile = FitTile(lambda fits, s=s: (
                s.name if flow.elderly
                # low tiles, sixteen of them: two lines each
                else service_text(s, lang, with_wait=False, fits=fits)),
                lambda c=s.code: flow.offline_detail(c), shrink=english_shrinks(lang))
            band_in_tile(tile, mongolian_name(s, lang), flow.elderly)
            self.grid.addWidget(tile, i // cols, i % cols)

    def relayout(self) -> None:
        self.refresh(self.flow)
