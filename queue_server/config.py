"""The hall configuration file (CONTRACT.md §2 plus extensions): TOML read once, validated with
pydantic, then trusted. Every mistake is refused as `ConfigError` naming the file, the line, the
key and the reason (worded by `queue_server.config_errors`); nothing is written by this module.

Extensions beyond the contract: hall options `priority_age`, `priority_cap`,
`no_show_after_recalls`, `followup_days` (核实 of a bad rating), `followup_rectify_days` (整改),
`followup_reply_days` (回复), `case_soon_workdays` (限时办结 "soon due"), `supplement_workdays`
(补正期限: the working days a holder has to bring the papers an approval post asked for; 0: no
period), `terminal_offline_s` (a heartbeat later than this is "offline"), `closed_days`; service `category` (and its optional
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

import difflib
import re
import tomllib
import typing
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

import toml_text
from queue_server.config_errors import (
    ConfigError,  # noqa: F401 - the commands catch it as queue_server.config.ConfigError
    Refused,
    block,
    decoded,
    not_toml,
    reason_of,
    refusal,
    unreadable,
)
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


def _iso_date(value: object) -> object:
    """A date written as TOML's date or as a string (`provisioning export` writes strings)."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # refused below as not a date, with the value shown
    return value


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
    supplement_workdays: int = Field(default=0, ge=0, le=60)
    terminal_offline_s: int = Field(default=120, ge=30, le=3600)
    closed_days: list[Annotated[date, BeforeValidator(_iso_date)]] = []
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
                known = ", ".join(LANGUAGES)
                raise ValueError(f"未知的语言 {lang!r}(可用:{known}) / unknown language "
                                 f"{lang!r} (languages: {known})")
        if len(set(value)) != len(value):
            raise ValueError("有语言写了两次 / a language appears twice")
        if "zh" not in value:
            raise ValueError("必须包含中文 zh / Chinese (zh) must be among the languages")
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
            raise ValueError(f"未知的时区 {value!r}(中国用 Asia/Shanghai) / unknown time zone "
                             f"{value!r} (China's is Asia/Shanghai)") from exc
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
            raise ValueError("只能使用 {number}、{counter}、{counter_code}、{zone} / may use only "
                             "{number}, {counter}, {counter_code}, {zone}") from exc
        if "{number}" not in value:
            raise ValueError("必须包含 {number} / must contain {number}")
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
            _known_zone(zone)
        if len(set(value)) != len(value):
            raise ValueError("有功能区写了两次 / a zone appears twice")
        ordered = sorted(value, key=ZONES.index)
        if value != ordered:  # a citizen goes consult → intake → approval → pickup
            shown = ", ".join(f'"{z}"' for z in ordered)
            raise ValueError(f"功能区要按办事顺序写(咨询、受理、审批、出件),应为 [{shown}] / the "
                             f"zones go in the order of a visit (consult, intake, approval, "
                             f"pickup): [{shown}]")
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
        return _known_zone(value)


class StaffSection(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    name: Text
    role: str = "staff"

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in ("staff", "supervisor", "admin"):
            raise ValueError("角色须为 staff、supervisor 或 admin / role must be staff, "
                             "supervisor or admin")
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
        raise ValueError(f"时间 {value!r} 格式不对,应为 HH:MM,如 00:00 / bad time {value!r}: "
                         "use HH:MM, e.g. 00:00")
    return time(int(match.group(1)), int(match.group(2)))


def _known_zone(zone: str) -> str:
    if zone not in ZONES:
        known = ", ".join(ZONES)
        raise ValueError(f"未知的功能区 {zone!r}(可用:{known}) / unknown zone {zone!r} "
                         f"(zones: {known})")
    return zone


def _first_twice(values: list[str]) -> tuple[int, int] | None:
    """The indexes of the first value given twice: (first, second), else None."""
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            return seen[value], i
        seen[value] = i
    return None


def _check_unique(cfg: HallConfig) -> None:
    codes = [s.code for s in cfg.services]
    for section, key, what, idents, values in (
            ("services", "code", "事项编码 / code", codes, codes),
            ("services", "prefix", "号码前缀 / prefix", codes, [s.prefix for s in cfg.services]),
            ("staff", "id", "工号 / id", [s.id for s in cfg.staff], [s.id for s in cfg.staff]),
            ("outposts", "id", "网点编号 / id", [o.id for o in cfg.outposts],
             [o.id for o in cfg.outposts])):
        twice = _first_twice(values)
        if twice:
            first, second = twice
            zh, en = what.split(" / ")
            other = block(section, first, idents[first])
            raise Refused((section, second, key), f"{zh} {values[second]!r} 重复:{other} "
                                                  f"也用它 / duplicate {en} {values[second]!r}: "
                                                  f"{other} has it too")
    for i, outpost in enumerate(cfg.outposts):
        if outpost.id == cfg.hall.id:
            raise Refused(("outposts", i, "id"), f"网点编号 {outpost.id!r} 与 [hall] id 相同 / "
                                                 f"id {outpost.id!r} is the hall's id")


def _check_counters(cfg: HallConfig, counters: list[CounterSection], allowed: set[str],
                    where: tuple[int | str, ...]) -> None:
    codes = [c.code for c in counters]
    twice = _first_twice(codes)
    if twice:
        first, second = twice
        other = block(where[-1] if isinstance(where[-1], str) else "counters", first,
                      codes[first])
        raise Refused((*where, second, "code"), f"窗口编码 {codes[second]!r} 重复:{other} "
                                                f"也用它 / duplicate counter code "
                                                f"{codes[second]!r}: {other} has it too")
    for i, counter in enumerate(counters):
        for code in counter.services:
            if code not in allowed:
                raise Refused((*where, i, "services"), f"未知的事项 {code!r} / unknown "
                                                        f"service {code!r}")
            if counter.zone not in cfg.service(code).route:
                raise Refused((*where, i, "services"),
                              f"事项 {code!r} 的路线不经过功能区 {counter.zone!r} / the route "
                              f"of {code!r} does not pass zone {counter.zone!r}")


def _named(cfg: HallConfig) -> list[tuple[tuple[int | str, ...], object]]:
    """Every section with a name a citizen reads, and where it is."""
    named: list[tuple[tuple[int | str, ...], object]] = [(("hall",), cfg.hall)]
    named += [(("services", i), s) for i, s in enumerate(cfg.services)]
    named += [(("counters", i), c) for i, c in enumerate(cfg.counters)]
    for i, outpost in enumerate(cfg.outposts):
        named.append((("outposts", i), outpost))
        named += [(("outposts", i, "counters", j), c) for j, c in enumerate(outpost.counters)]
    return named


def _check_languages(cfg: HallConfig) -> None:
    """Each language the hall lists has every name a citizen reads; translated materials are
    as many as the Chinese ones."""
    for lang in cfg.hall.languages:
        if lang == "zh":
            continue
        for where, item in _named(cfg):
            if getattr(item, f"name_{lang}") is None:
                raise Refused((*where, f"name_{lang}"),
                              f"缺少:[hall] languages 列出了 {lang!r},每个名称都要有 {lang} "
                              f"形式 / missing: [hall] languages lists {lang!r}, so every "
                              f"name needs its {lang} form")
    _check_categories(cfg)
    for i, svc in enumerate(cfg.services):
        for lang in ("en", "mn"):
            given = getattr(svc, f"materials_{lang}")
            if given is not None and len(given) != len(svc.materials):
                raise Refused(("services", i, f"materials_{lang}"),
                              f"{len(given)} 项,而 materials 有 {len(svc.materials)} 项 / "
                              f"{len(given)} items for {len(svc.materials)} materials")


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
                raise Refused(("services", i, f"category_{lang}"),
                              "该事项没有 category / the service has no category")
            j, first = named.setdefault((svc.category, lang), (i, form))
            if first != form:
                other = block("services", j, cfg.services[j].code)
                raise Refused(("services", i, f"category_{lang}"),
                              f"{svc.category} 在这里是 {form!r},在 {other} 是 {first!r} / "
                              f"{svc.category} is {form!r} here but {first!r} in {other}")


def _cross_check(cfg: HallConfig) -> None:
    """Rules between sections; raises `Refused`."""
    _check_unique(cfg)
    codes = {s.code for s in cfg.services}
    for i, svc in enumerate(cfg.services):
        if svc.mail_delivery and "pickup" not in svc.route:
            raise Refused(("services", i, "mail_delivery"),
                          "路线没有出件区 pickup / the route has no pickup zone")
    _check_counters(cfg, cfg.counters, codes, ("counters",))
    for i, outpost in enumerate(cfg.outposts):
        for code in outpost.services:
            if code not in codes:
                raise Refused(("outposts", i, "services"),
                              f"未知的事项 {code!r} / unknown service {code!r}")
        _check_counters(cfg, outpost.counters, set(outpost.services), ("outposts", i, "counters"))
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


def _keys_at(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the configuration knows beside the one at `loc` (its table's fields)."""
    model: type[BaseModel] = HallConfig
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        inner = _model_in(field.annotation) if field is not None else None
        if inner is None:
            return []
        model = inner
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (itself, a list of it, or it or None)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def parse_config(text: str, file: str = "<config>") -> HallConfig:
    """The configuration in `text`, or `ConfigError` naming the key, its line and the reason.
    Types are strict: `time_limit_workdays = "5"` (a string) is refused, not read as 5. A
    byte-order mark before the text (a Windows editor's "UTF-8") is not part of it."""
    text = text.removeprefix("\ufeff")
    try:
        data = toml_text.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise not_toml(file, exc) from exc
    try:
        cfg = HallConfig.model_validate(data, strict=True)
    except ValidationError as exc:
        errors = exc.errors()
        err, reason = errors[0], reason_of(errors[0])
        for typo in (e for e in errors if e["type"] == "extra_forbidden"):
            # a key misspelt (`[[counter]]`, `prefx`): said with the key it must be, before
            # the key it left missing
            near = difflib.get_close_matches(str(typo["loc"][-1]), _keys_at(typo["loc"]), n=1)
            if near:
                err, reason = typo, (f"未知的键,是不是 {near[0]}? / unknown key: did you mean "
                                     f"{near[0]}?")
                break
        raise refusal(file, text, data, tuple(err["loc"]), reason) from exc
    try:
        _cross_check(cfg)
    except Refused as exc:
        raise refusal(file, text, data, exc.loc, exc.reason) from exc
    return cfg


def load_config(path: str | Path) -> HallConfig:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise unreadable(str(path), exc) from exc
    return parse_config(decoded(raw, str(path)), str(path))
