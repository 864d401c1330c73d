"""What the headless morning did, read back from the server (each ticket's journey) and from
the simulation's own record, printed in Chinese then English."""

from __future__ import annotations

import statistics
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from provisioning.demo.api import Api, ApiError
from provisioning.demo.morning import Morning

ZONE_ZH = {"consult": "咨询导办", "intake": "一窗受理", "approval": "后台审批", "pickup": "出件"}


@dataclass
class Summary:
    issued: int = 0
    bank: int = 0
    status: Counter[str] = field(default_factory=Counter)
    waits: dict[str, list[float]] = field(default_factory=dict)      # hall minutes, by zone
    service: dict[str, list[float]] = field(default_factory=dict)    # hall minutes, by zone
    journeys_read: int = 0
    still_waiting: Counter[str] = field(default_factory=Counter)    # by zone, at the end


def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def summarise(morning: Morning, kiosk: Api, bank: Api) -> Summary:
    out = Summary()
    scale = morning.plan.speed / 60.0  # real seconds -> hall minutes

    def read(item: tuple[str, dict[str, Any]]) -> dict[str, Any] | None:
        ticket_id, info = item
        try:
            return dict((bank if info["bank"] else kiosk).call("GET", f"/tickets/{ticket_id}")[1])
        except ApiError:
            return None

    with ThreadPoolExecutor(4) as pool:
        journeys = list(pool.map(read, list(morning.rec.tickets.items())))
    for info, t in zip(morning.rec.tickets.values(), journeys, strict=True):
        out.issued += 1
        out.bank += 1 if info["bank"] else 0
        if t is None:
            continue
        out.journeys_read += 1
        out.status[t["status"]] += 1
        if t["status"] in ("waiting", "called", "serving"):
            out.still_waiting[t["zone"]] += 1
        ready = _t(t["issued_at"])
        for stage in t.get("journey", []):
            called, started, ended = (_t(stage.get(k)) for k in ("called_at", "started_at",
                                                                  "ended_at"))
            zone = stage["zone"]
            if called and ready:
                out.waits.setdefault(zone, []).append((called - ready).total_seconds() * scale)
            if started and ended:
                out.service.setdefault(zone, []).append((ended - started).total_seconds() * scale)
            ready = ended
    return out


def _stats(values: list[float]) -> str:
    if not values:
        return "-"
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
    return f"n={len(values):<4} 中位 median {statistics.median(values):5.1f}  p90 {p90:5.1f} min"


def render(morning: Morning, summary: Summary, wall_s: float, screens: dict[str, int],
           screens_dir: str) -> str:
    rec, faults, printer = morning.rec, morning.faults, morning.printer
    printed = sum(p.printed for p in morning.printers.values())
    end = 8 * 60 + 30 + morning.plan.minutes
    ratings = Counter(rec.ratings)
    ids = rec.events
    ordered = all(a < b for a, b in zip(ids, ids[1:], strict=False))
    lines = [
        "",
        "== 模拟繁忙上午 / a simulated busy morning ==",
        f"大厅时间 hall time 08:30–{int(end // 60):02d}:{int(end % 60):02d} at "
        f"{morning.plan.speed:.0f}x (the doors closed after {morning.phases.get('arrivals', 0):.0f}"
        f" s real), whole demo {wall_s:.0f} s",
        f"取号 tickets issued: {summary.issued} (银行网点 bank branch: {summary.bank}); "
        f"journeys read back from the server: {summary.journeys_read}",
        "结束时状态 status when the demo stopped: " + ", ".join(f"{k} {v}" for k, v in
                                          sorted(summary.status.items()))
        + (" (仍在大厅 still in the hall: " + ", ".join(
            f"{ZONE_ZH[z]} {z} {n}" for z, n in sorted(summary.still_waiting.items())) + ")"
           if summary.still_waiting else ""),
        f"过号 no-shows {rec.no_shows}, 转办 transfers {rec.transfers}, "
        f"退回 rejected {rec.rejected}, 网点转大厅 forwarded from the bank {rec.forwarded}; 叫号 calls {sum(rec.calls.values())} "
        f"at {len(rec.calls)} counters",
        "等候 waits (issue or previous stage → call), hall minutes:",
    ]
    for zone in ("consult", "intake", "approval", "pickup"):
        lines.append(f"  {ZONE_ZH[zone]:<6} {zone:<9} {_stats(summary.waits.get(zone, []))}")
    lines.append("办理 service times (start → finish), hall minutes:")
    for zone in ("consult", "intake", "approval", "pickup"):
        lines.append(f"  {ZONE_ZH[zone]:<6} {zone:<9} {_stats(summary.service.get(zone, []))}")
    avg = statistics.mean(rec.ratings) if rec.ratings else 0.0
    lines += [
        f"好差评 ratings: {len(rec.ratings)} on counter pads, average {avg:.2f}; "
        + " ".join(f"{lv}★×{ratings[lv]}" for lv in (5, 4, 3, 2, 1))
        + f"; 差评回访 follow-ups opened {rec.followups}",
        "故障与恢复 faults recovered:",
        f"  打印机 printers of {len(morning.printers)} kiosks: {printed} tickets printed; kiosk-1: "
        f"{printer.failed} numbers shown on screen while out of paper "
        f"({'; '.join(printer.transitions) or 'no fault'})",
        f"  服务器重启 server restart: down {morning.downtime_s:.1f} s; "
        f"{faults.retried} retries, {faults.recovered} requests completed after retrying, "
        f"{faults.conflicts} already-done actions, {faults.server_errors} server errors (5xx)",
        f"  事件流 event stream: {len(ids)} events followed across the restart, "
        f"{'ids strictly increasing, none twice' if ordered else 'OUT OF ORDER'}",
    ]
    lines += [f"  {_clock(t)} {text}" for t, text in rec.timeline]
    if rec.errors:
        lines.append(f"错误 errors ({len(rec.errors)}):")
        lines += [f"  {e}" for e in rec.errors[:10]]
    if any(screens.values()):
        lines.append(f"截图 screenshots: {screens_dir} ("
                     + ", ".join(f"{r} {n}" for r, n in screens.items() if n) + " PNG files)")
    else:
        lines.append("截图 screenshots: none rendered")
    missing = [r for r, n in screens.items() if not n]
    if missing and any(screens.values()):  # a role that failed or was not reached in time
        lines.append(f"  未生成 none of: {', '.join(missing)} (logs/screens-ROLE.log)")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    return f"[+{seconds:5.1f} s]"


def as_dict(morning: Morning, summary: Summary) -> dict[str, Any]:
    """The figures a test checks."""
    return {"issued": summary.issued, "journeys": summary.journeys_read,
            "status": dict(summary.status), "ratings": len(morning.rec.ratings),
            "followups": morning.rec.followups, "transfers": morning.rec.transfers,
            "no_shows": morning.rec.no_shows, "printed": sum(p.printed for p in morning.printers.values()),
            "print_failed": morning.printer.failed, "downtime_s": morning.downtime_s,
            "retried": morning.faults.retried, "recovered": morning.faults.recovered,
            "server_errors": morning.faults.server_errors, "events": len(morning.rec.events),
            "events_ordered": all(a < b for a, b in zip(morning.rec.events,
                                                        morning.rec.events[1:], strict=False)),
            "event_types": dict(morning.rec.event_types), "errors": list(morning.rec.errors),
            "calls": sum(morning.rec.calls.values()),
            "track_urls": sorted({str(t.get("track_url") or "").rsplit("/t/", 1)[0]
                                  for t in morning.rec.tickets.values()})}
