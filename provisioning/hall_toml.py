"""The hall configuration as it stands in the database, read back and written as TOML in the
format of CONTRACT.md §2 (with the extensions of `queue_server.config`), so that
`provisioning init` of the exported file gives the same configuration again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.config import forms_of
from queue_server.db.models import Counter, Hall, Service, Staff
from toml_text import value

HALL_KEYS = ("id", "name", "timezone", "day_starts", "announce")
OPTION_KEYS = ("priority_age", "priority_cap", "no_show_after_recalls", "followup_days",
               "followup_rectify_days", "followup_reply_days", "case_soon_workdays",
               "supplement_workdays", "terminal_offline_s", "closed_days", "opening_hours",
               "open_days", "appointments", "notify")


class NoSuchHall(Exception):
    """The database holds no such hall (or several, and none was named)."""


def main_hall_id(session: Session, hall: str | None) -> str:
    ids = list(session.scalars(select(Hall.id).where(Hall.parent.is_(None), Hall.active)
                               .order_by(Hall.id)))
    if hall is not None:
        if hall not in ids:
            raise NoSuchHall(f"没有大厅 {hall}(库中有:{'、'.join(ids) or '无'}) / no hall "
                             f"{hall!r} in this database (halls: {', '.join(ids) or '-'})")
        return hall
    if len(ids) != 1:
        raise NoSuchHall("库中没有大厅,请先运行 provisioning init / no hall in this database "
                         "(run `provisioning init` first)" if not ids else
                         f"库中有多个大厅({'、'.join(ids)}),请用 --hall 指定 / several halls "
                         f"({', '.join(ids)}): choose one with --hall")
    return ids[0]


def _services(session: Session, hall: str) -> list[Service]:
    return list(session.scalars(select(Service).where(Service.hall == hall, Service.active)
                                .order_by(Service.position, Service.code)))


def _counters(session: Session, hall: str) -> list[dict[str, Any]]:
    rows = session.scalars(select(Counter).where(Counter.hall == hall, Counter.active)
                           .order_by(Counter.position, Counter.code))
    return [{"code": c.code, "name": c.name, **forms_of(c.texts), "zone": c.zone,
             "services": list(c.services)} for c in rows]


def _hall_texts(hall: Hall, keys: tuple[str, ...]) -> dict[str, Any]:
    texts = (hall.options or {}).get("texts", {})
    return forms_of(texts, keys)


def read_config(session: Session, hall_id: str) -> dict[str, Any]:
    """The configuration of one hall as plain data, keys in the order of the contract."""
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise NoSuchHall(f"没有大厅 {hall_id} / no hall {hall_id!r}")
    section: dict[str, Any] = {k: getattr(hall, k) for k in HALL_KEYS}
    section.update({k: hall.options[k] for k in OPTION_KEYS
                    if (hall.options or {}).get(k) not in (None, {})})
    section["languages"] = list((hall.options or {}).get("languages", ["zh"]))
    section.update(_hall_texts(hall, ("name", "announce", "notice")))
    notice = (hall.options or {}).get("texts", {}).get("zh", {}).get("notice")
    if notice:
        section["notice"] = notice
    services = []
    for s in _services(session, hall_id):
        item: dict[str, Any] = {"code": s.code, "name": s.name, **forms_of(s.texts)}
        if s.category:
            item["category"] = s.category
            item.update(forms_of(s.texts, ("category",)))
        item.update({"prefix": s.prefix, "route": list(s.route)})
        if s.time_limit_workdays is not None:
            item["time_limit_workdays"] = s.time_limit_workdays
        if s.daily_cap is not None:
            item["daily_cap"] = s.daily_cap
        item.update({"requires_id_card": bool(s.requires_id_card),
                     "materials": list(s.materials or []),
                     **forms_of(s.texts, ("materials",))})
        options = s.options or {}
        if options.get("mail_delivery"):
            item["mail_delivery"] = True
        item.update({k: dict(options[k]) for k in ("booking", "remote") if k in options})
        services.append(item)
    outposts = []
    for o in session.scalars(select(Hall).where(Hall.parent == hall_id, Hall.active)
                             .order_by(Hall.id)):
        outposts.append({"id": o.id, "name": o.name, **_hall_texts(o, ("name",)),
                         "services": [s.code for s in _services(session, o.id)],
                         "counters": _counters(session, o.id)})
    staff = [{"id": p.id, "name": p.name, "role": p.role} for p in session.scalars(
        select(Staff).where(Staff.hall == hall_id, Staff.active).order_by(Staff.id))]
    return {"hall": section, "services": services, "counters": _counters(session, hall_id),
            "staff": staff, "outposts": outposts}


def _table(header: str, item: dict[str, Any]) -> list[str]:
    """A table's plain keys, then its sub-tables (`[services.booking]` after its service)."""
    lines = [header]
    lines += [f"{k} = {value(v)}" for k, v in item.items() if not isinstance(v, dict)
              and not (isinstance(v, list) and v and isinstance(v[0], dict))]
    lines.append("")
    name = header.strip("[]")
    for key, sub in item.items():
        if isinstance(sub, dict):
            lines += _table(f"[{name}.{key}]", sub)
    return lines


def to_toml(config: dict[str, Any], comment: str = "") -> str:
    lines = [f"# {line}" for line in comment.splitlines()] + ([""] if comment else [])
    lines += _table("[hall]", config["hall"])
    for service in config["services"]:
        lines += _table("[[services]]", service)
    for counter in config["counters"]:
        lines += _table("[[counters]]", counter)
    for outpost in config["outposts"]:
        lines += _table("[[outposts]]", outpost)
        for counter in outpost["counters"]:
            lines += _table("[[outposts.counters]]", counter)
    for person in config["staff"]:
        lines += _table("[[staff]]", person)
    return "\n".join(lines).rstrip("\n") + "\n"
