"""A real hall for the kiosk tests: an SQLite file built by `provisioning init` from a small hall
with a bank-branch outpost, a kiosk and a bank terminal enrolled with `provisioning enrol`, and
`python -m queue_server` as a real process on a free loopback port (killable and restartable on
the same port, for the offline path)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.hall_process import ROOT, HallProcess

__all__ = ["HALL_TOML", "PIN", "ROOT", "Hall"]

HALL_TOML = """
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
PIN = "135790"


class Hall(HallProcess):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp, HALL_TOML)
        self.set_pin("s001", PIN)
        self.kiosk_token = self.enrol("kiosk", "k1")
        self.bank_token = self.enrol("bank", "b1", hall="bank1")
        self.counter_token = self.enrol("counter", "c1", counter="W01")

    def api(self, method: str, path: str, token: str, json_body: object = None,
            headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.request(method, self.url + "/api/v1" + path, json=json_body, timeout=5,
                             headers={"Authorization": f"Bearer {token}", **(headers or {})})
