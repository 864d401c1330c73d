"""The two small halls the terminal tests and benchmarks run against, each an SQLite file set up
by the administrator's command with its terminals enrolled, and its server process.

- `KioskHall`: a hall with a bank-branch outpost; a kiosk, a bank terminal and a counter
  terminal enrolled; staff s001's PIN is `KIOSK_PIN`.
- `StaffHall`: two intake counters and a pickup counter; staff s001 and s002 with `STAFF_PIN`;
  terminals enrolled by the test (`tokens` keeps them by name).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from server_process.hall import HallProcess

KIOSK_HALL_TOML = """
[hall]
id = "kt"
name = "测试政务服务中心"
timezone = "Asia/Shanghai"
day_starts = "00:00"
announce = "请{number}号到{counter}办理"
priority_age = 70

[[services]]
code = "company-setup"
name = "企业开办"
category = "商事登记"
prefix = "A"
route = ["intake", "pickup"]
requires_id_card = true
materials = ["公司章程", "住所使用证明"]

[[services]]
code = "property-general"
name = "不动产一般登记"
category = "不动产登记"
prefix = "D"
route = ["intake"]
materials = ["不动产登记申请书"]

[[services]]
code = "water-connect"
name = "用水报装"
category = "水电气暖"
prefix = "G"
route = ["intake"]

[[counters]]
code = "W01"
name = "1号窗口"
zone = "intake"
services = ["company-setup", "property-general", "water-connect"]

[[counters]]
code = "P01"
name = "出件窗口"
zone = "pickup"
services = ["company-setup"]

[[staff]]
id = "s001"
name = "王丽"
role = "staff"

[[outposts]]
id = "bank1"
name = "农业银行测试支行 政银合作便民服务点"
services = ["company-setup", "water-connect"]

[[outposts.counters]]
code = "N01"
name = "农行1号窗口"
zone = "intake"
services = ["company-setup", "water-connect"]
"""
KIOSK_PIN = "135790"

STAFF_HALL_TOML = """
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
STAFF_PIN = "246810"


class KioskHall(HallProcess):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp, KIOSK_HALL_TOML)
        self.set_pin("s001", KIOSK_PIN)
        self.kiosk_token = self.enrol("kiosk", "k1")
        self.bank_token = self.enrol("bank", "b1", hall="bank1")
        self.counter_token = self.enrol("counter", "c1", counter="W01")

    def api(self, method: str, path: str, token: str, json_body: object = None,
            headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.request(method, self.url + "/api/v1" + path, json=json_body, timeout=5,
                             headers={"Authorization": f"Bearer {token}", **(headers or {})})


class StaffHall(HallProcess):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp, STAFF_HALL_TOML)
        for staff in ("s001", "s002"):
            self.set_pin(staff, STAFF_PIN)
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
