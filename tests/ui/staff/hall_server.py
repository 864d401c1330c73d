"""A real hall for the staff-side tests: an SQLite file built by `provisioning init`, terminals
enrolled and a staff PIN set with `provisioning`, and `python -m queue_server` as a real process
on a free loopback port, which a test may kill and start again on the same port."""

from __future__ import annotations

from pathlib import Path

import httpx

from kiosk.client import QueueClient
from tests.hall_process import HallProcess

HALL_TOML = """
[hall]
id = "test"
name = "测试政务服务中心"
name_en = "Test Service Centre"
timezone = "Asia/Shanghai"
day_starts = "00:00"
announce = "请{number}号到{counter}办理"
no_show_after_recalls = 2

[[services]]
code = "company"
name = "企业开办"
prefix = "A"
route = ["intake", "pickup"]
materials = ["公司章程", "住所使用证明"]
name_en = "Company setup"
materials_en = ["Articles of association", "Proof of address"]

[[services]]
code = "estate"
name = "不动产登记"
prefix = "B"
route = ["intake"]

[[counters]]
code = "W01"
name = "1号窗口"
zone = "intake"
services = ["company", "estate"]

[[counters]]
code = "W02"
name = "2号窗口"
zone = "intake"
services = ["estate", "company"]

[[counters]]
code = "P01"
name = "出件1号窗口"
zone = "pickup"
services = ["company"]

[[staff]]
id = "s001"
name = "王丽"
role = "staff"

[[staff]]
id = "s002"
name = "李强"
role = "staff"
"""
PIN = "246810"


def clear(staff: QueueClient, code: str) -> None:
    """Finish whatever ticket the counter holds, so the next call-next may go."""
    current = staff.counter(code).current
    if current is not None:
        if current.status == "called":
            staff.counter_action(code, "start")
        staff.counter_action(code, "finish", {"outcome": "done"})


class HallServer(HallProcess):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp, HALL_TOML)
        for staff in ("s001", "s002"):
            self.set_pin(staff, PIN)
        self.tokens: dict[str, str] = {}

    def enrol(self, kind: str, name: str, counter: str | None = None,
              hall: str | None = None) -> str:
        token = super().enrol(kind, name, counter, hall)
        self.tokens[name] = token
        return token

    def issue(self, service: str, kiosk_token: str) -> dict[str, object]:
        resp = httpx.post(self.url + "/api/v1/tickets", json={"service": service},
                          headers={"Authorization": f"Bearer {kiosk_token}"}, timeout=5)
        resp.raise_for_status()
        return dict(resp.json())
