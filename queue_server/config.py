"""The hall configuration file (CONTRACT.md §2 plus extensions): TOML read once, validated with
pydantic, then trusted. Every mistake is refused as `ConfigError` naming the file, the key and
the reason; nothing is written by this module.

Extensions beyond the contract: hall options `priority_age`, `priority_cap`,
`no_show_after_recalls`, `followup_days` (核实 of a bad rating), `followup_rectify_days` (整改),
`followup_reply_days` (回复), `case_soon_workdays` (限时办结 "soon due"), `terminal_offline_s` (a
heartbeat later than this is "offline"), `closed_days`; service `category` (and its optional
`category_en`/`category_mn`, the same for every service of the category); `[[outposts]]`
(bank-branch service points) with `id`, `name`, `services` (a subset of the hall's codes) and
their own `[[outposts.counters]]`.

Languages are hall data (v1.1): `[hall] languages = ["zh", "mn", "en"]` lists what the hall's
boards and kiosks show, in that order (Chinese always among them). Every name a citizen reads
has a form per language beside the Chinese one: `name_en`/`name_mn` of the hall, its services,
counters and outposts, `materials_en`/`materials_mn` of a service (as many as `materials`),
`announce_en`/`announce_mn` and `notice`/`notice_en`/`notice_mn` of the hall. A language the hall
lists needs every name in it; a missing one is refused at `init` with its key.

The journey's sections (opening hours, `[hall.appointments]`,
`[hall.notify]`, `[services.booking]`, `[services.remote]`, `mail_delivery`) are the models of
`queue_server.config_journey`.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

import toml_text
from queue_server.config_journey import (
    AppointmentRules,
    NotifySection,
    OpenDays,
    ServiceBooking,
    ServiceRemote,
    check_ranges,
)
from queue_server.wire import LANGUAGES, ZONES

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
CounterCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Notice = Annotated[str, StringConstraints(max_length=500)]


class ConfigError(Exception):
    """A refused configuration: `file: key: reason` in one line."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}" if key else f"{file}: {reason}")
        self.file, self.key, self.reason = file, key, reason


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HallSection(_Strict):
    id: Code
    name: Text
    timezone: str = "Asia/Shanghai"
    day_starts: str = "00:00"
    announce: Text = "请{number}号到{counter}办理"
    priority_age: int = Field(default=70, ge=1, le=150)
    priority_cap: int = Field(default=3, ge=1, le=100)
    no_show_after_recalls: int = Field(default=0, ge=0, le=10)
    followup_days: int = Field(default=3, ge=1, le=60)
    followup_rectify_days: int = Field(default=10, ge=1, le=60)
    followup_reply_days: int = Field(default=2, ge=1, le=60)
    case_soon_workdays: int = Field(default=1, ge=0, le=20)
    terminal_offline_s: int = Field(default=120, ge=30, le=3600)
    closed_days: list[date] = []
    languages: list[str] = ["zh"]
    name_en: Text | None = None
    name_mn: Text | None = None
    announce_en: Text | None = None
    announce_mn: Text | None = None
    notice: Notice = ""
    notice_en: Notice = ""
    notice_mn: Notice = ""

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        for lang in value:
            if lang not in LANGUAGES:
                raise ValueError(f"unknown language {lang!r} (languages: "
                                 f"{', '.join(LANGUAGES)})")
        if len(set(value)) != len(value):
            raise ValueError("a language appears twice")
        if "zh" not in value:
            raise ValueError("Chinese (zh) must be among the languages")
        return value
    opening_hours: list[str] = Field(default=[], max_length=8)  # empty: around the clock
    open_days: OpenDays = "workdays"
    appointments: AppointmentRules = AppointmentRules()
    notify: NotifySection = NotifySection()

    @field_validator("opening_hours")
    @classmethod
    def _opening(cls, value: list[str]) -> list[str]:
        return check_ranges(value)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("day_starts")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        parse_hhmm(value)
        return value

    @field_validator("announce", "announce_en", "announce_mn")
    @classmethod
    def _announce(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            value.format(number="A001", counter="1号窗口", counter_code="W01", zone="一窗受理")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError("may use only {number}, {counter}, {counter_code}, {zone}") from exc
        if "{number}" not in value:
            raise ValueError("must contain {number}")
        return value

    @property
    def day_start_time(self) -> time:
        return parse_hhmm(self.day_starts)


class ServiceSection(_Strict):
    code: Code
    name: Text
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}$")]
    route: list[str] = Field(min_length=1, max_length=4)
    time_limit_workdays: int | None = Field(default=None, ge=0, le=365)
    daily_cap: int | None = Field(default=None, ge=1, le=99999)
    requires_id_card: bool = False
    materials: list[Text] = []
    category: Text | None = None
    category_en: Text | None = None
    category_mn: Text | None = None
    name_en: Text | None = None
    name_mn: Text | None = None
    materials_en: list[Text] | None = None
    materials_mn: list[Text] | None = None
    booking: ServiceBooking | None = None
    remote: ServiceRemote | None = None
    mail_delivery: bool = False

    @field_validator("route")
    @classmethod
    def _route(cls, value: list[str]) -> list[str]:
        for zone in value:
            if zone not in ZONES:
                raise ValueError(f"unknown zone {zone!r} (zones: {', '.join(ZONES)})")
        if len(set(value)) != len(value):
            raise ValueError("a zone appears twice")
        return value


class CounterSection(_Strict):
    code: CounterCode
    name: Text
    zone: str
    services: list[Code] = Field(min_length=1)
    name_en: Text | None = None
    name_mn: Text | None = None

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if value not in ZONES:
            raise ValueError(f"unknown zone {value!r} (zones: {', '.join(ZONES)})")
        return value


class StaffSection(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    name: Text
    role: str = "staff"

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in ("staff", "supervisor", "admin"):
            raise ValueError("role must be staff, supervisor or admin")
        return value


class OutpostSection(_Strict):
    id: Code
    name: Text
    name_en: Text | None = None
    name_mn: Text | None = None
    services: list[Code] = Field(min_length=1)
    counters: list[CounterSection] = []


class HallConfig(_Strict):
    hall: HallSection
    services: list[ServiceSection] = Field(min_length=1)
    counters: list[CounterSection] = []
    staff: list[StaffSection] = []
    outposts: list[OutpostSection] = []

    def service(self, code: str) -> ServiceSection:
        return next(s for s in self.services if s.code == code)


def parse_hhmm(value: str) -> time:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise ValueError(f"bad time {value!r}: use HH:MM, e.g. 00:00")
    return time(int(match.group(1)), int(match.group(2)))


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _dupes(values: list[str]) -> str | None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


def _check_counters(cfg: HallConfig, counters: list[CounterSection], allowed: set[str],
                    where: str) -> None:
    dup = _dupes([c.code for c in counters])
    if dup:
        raise ValueError(f"{where}: duplicate counter code {dup!r}")
    for i, counter in enumerate(counters):
        for code in counter.services:
            if code not in allowed:
                raise ValueError(f"{where}[{i}].services: unknown service {code!r}")
            if counter.zone not in cfg.service(code).route:
                raise ValueError(f"{where}[{i}].services: the route of {code!r} does not pass "
                                 f"zone {counter.zone!r}")


def _check_languages(cfg: HallConfig) -> None:
    """Each language the hall lists has every name a citizen reads; translated materials are
    as many as the Chinese ones."""
    named: list[tuple[str, object]] = [("hall", cfg.hall)]
    named += [(f"services[{i}]", s) for i, s in enumerate(cfg.services)]
    named += [(f"counters[{i}]", c) for i, c in enumerate(cfg.counters)]
    for i, outpost in enumerate(cfg.outposts):
        named.append((f"outposts[{i}]", outpost))
        named += [(f"outposts[{i}].counters[{j}]", c) for j, c in enumerate(outpost.counters)]
    for lang in cfg.hall.languages:
        if lang == "zh":
            continue
        for where, item in named:
            if getattr(item, f"name_{lang}") is None:
                raise ValueError(f"{where}.name_{lang}: missing: [hall] languages lists "
                                 f"{lang!r}, so every name needs its {lang} form")
    _check_categories(cfg)
    for i, svc in enumerate(cfg.services):
        for lang in ("en", "mn"):
            given = getattr(svc, f"materials_{lang}")
            if given is not None and len(given) != len(svc.materials):
                raise ValueError(f"services[{i}].materials_{lang}: {len(given)} items for "
                                 f"{len(svc.materials)} materials")


def _check_categories(cfg: HallConfig) -> None:
    """A category's other-language forms (`category_en`, `category_mn`, optional: a kiosk shows
    the Chinese one where a form is missing) belong to a category, and every service of the
    category gives the same form (one tab, one name)."""
    named: dict[tuple[str, str], tuple[int, str]] = {}
    for i, svc in enumerate(cfg.services):
        for lang in ("en", "mn"):
            form = getattr(svc, f"category_{lang}")
            if form is None:
                continue
            if svc.category is None:
                raise ValueError(f"services[{i}].category_{lang}: the service has no category")
            j, first = named.setdefault((svc.category, lang), (i, form))
            if first != form:
                raise ValueError(f"services[{i}].category_{lang}: {svc.category} is {form!r} "
                                 f"here but {first!r} in services[{j}]")


def _cross_check(cfg: HallConfig) -> None:
    """Rules between sections; raises ValueError('key: reason')."""
    for field, values in (("services", [s.code for s in cfg.services]),
                          ("services", [s.prefix for s in cfg.services]),
                          ("staff", [s.id for s in cfg.staff]),
                          ("outposts", [o.id for o in cfg.outposts] + [cfg.hall.id])):
        dup = _dupes(values)
        if dup:
            raise ValueError(f"{field}: duplicate {dup!r}")
    codes = {s.code for s in cfg.services}
    for i, svc in enumerate(cfg.services):
        if svc.mail_delivery and "pickup" not in svc.route:
            raise ValueError(f"services[{i}].mail_delivery: the route has no pickup zone")
    _check_counters(cfg, cfg.counters, codes, "counters")
    for i, outpost in enumerate(cfg.outposts):
        for code in outpost.services:
            if code not in codes:
                raise ValueError(f"outposts[{i}].services: unknown service {code!r}")
        _check_counters(cfg, outpost.counters, set(outpost.services), f"outposts[{i}].counters")
    _check_languages(cfg)


# A service's texts kept per language (`services.texts`), and served as `<field>_<lang>`.
SERVICE_TEXTS = ("name", "materials", "category")


def texts_of(item: object, fields: tuple[str, ...] = ("name",)) -> dict[str, dict[str, object]]:
    """The other-language forms of a section as stored: {"en": {"name": ...}, "mn": {...}}."""
    out: dict[str, dict[str, object]] = {}
    for lang in ("en", "mn"):
        forms = {f: getattr(item, f"{f}_{lang}") for f in fields}
        forms = {f: v for f, v in forms.items() if v not in (None, "")}
        if forms:
            out[lang] = forms
    return out


def forms_of(texts: dict[str, Any] | None, fields: tuple[str, ...] = ("name",)
             ) -> dict[str, Any]:
    """Stored texts back as the configuration's keys: {"name_en": ..., "materials_mn": ...}."""
    texts = texts or {}
    return {f"{f}_{lang}": texts[lang][f] for lang in ("en", "mn") for f in fields
            if f in texts.get(lang, {})}


def parse_config(text: str, file: str = "<config>") -> HallConfig:
    try:
        data = toml_text.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "", f"not valid TOML: {exc}") from exc
    try:
        cfg = HallConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        reason = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            reason = "unknown key"
        raise ConfigError(file, _loc(tuple(err["loc"])), reason) from exc
    try:
        _cross_check(cfg)
    except ValueError as exc:
        key, _, reason = str(exc).partition(": ")
        raise ConfigError(file, key, reason) from exc
    return cfg


def load_config(path: str | Path) -> HallConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc}") from exc
    return parse_config(text, str(path))
