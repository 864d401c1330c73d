"""The console's way in, on a real server process: staff id + PIN for supervisors and admins
only, an HttpOnly SameSite=Strict cookie, CSRF on every change, the counters' lockout, and the
cookie accepted by `/api/v1` (and the event stream) as the supervisor."""

from __future__ import annotations

import httpx

from tests.queue_server.conftest import PIN, Hall


def console(hall: Hall) -> httpx.Client:
    return httpx.Client(base_url=hall.server.url, timeout=10.0)


def login(hall: Hall, staff: str = "s003", pin: str = PIN) -> tuple[httpx.Client, dict]:
    c = console(hall)
    resp = c.post("/api/v1/console/login", json={"staff": staff, "pin": pin, "hall": hall.id})
    return c, {"status": resp.status_code, **resp.json()} if resp.content else {}


def test_supervisor_logs_in_with_a_strict_http_only_cookie(hall: Hall) -> None:
    c = console(hall)
    resp = c.post("/api/v1/console/login", json={"staff": "s003", "pin": PIN, "hall": hall.id})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["role"] == "supervisor" and body["hall"] == hall.id and body["csrf"]
    cookie = resp.headers["set-cookie"]
    assert cookie.startswith("kb_console=kbc_")
    for flag in ("HttpOnly", "SameSite=strict", "Path=/"):
        assert flag.lower() in cookie.lower()
    me = c.get("/api/v1/console/me")
    assert me.status_code == 200 and me.json()["staff_name"] == "张伟"
    assert me.json()["csrf"] == body["csrf"]
    assert me.json()["expires_at"] == body["expires_at"] is not None  # when to log in again
    # the cookie is a supervisor principal for the rest of /api/v1
    assert c.get("/api/v1/terminals").status_code == 200
    assert c.get("/api/v1/followups").status_code == 200


def test_admins_too_but_never_the_staff_role(hall: Hall) -> None:
    _, admin = login(hall, "s004")
    assert admin["status"] == 200 and admin["role"] == "admin"
    _, staff = login(hall, "s001")
    assert staff["status"] == 403 and staff["error"]["code"] == "supervisor_required"


def test_without_a_session_nothing_answers(hall: Hall) -> None:
    c = console(hall)
    assert c.get("/api/v1/console/me").status_code == 401
    c.cookies.set("kb_console", "kbc_forged")
    resp = c.get("/api/v1/followups")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "unauthorized"


def test_wrong_pin_then_the_counters_lockout(hall: Hall) -> None:
    """The counters' rule (issue 11): wrong PINs count per (client, staff id); after three in
    a row this browser waits, while the staff member still signs in at a counter pad."""
    for _ in range(3):
        _, bad = login(hall, "s003", "0000")
        assert bad["status"] == 401 and bad["error"]["code"] == "bad_credentials"
    _, fourth = login(hall, "s003", "0000")
    assert fourth["status"] == 401
    _, locked = login(hall, "s003")  # the right PIN, but this browser must wait now
    assert locked["status"] == 429 and locked["error"]["code"] == "staff_locked"
    pad = hall.client(hall.enrol("counter", "pad-lock", "W03"))
    resp = pad.post("/auth/login", json={"staff": "s003", "pin": PIN, "counter": "W03"})
    assert resp.status_code == 200, resp.text


def test_unknown_hall_is_just_a_wrong_login(hall: Hall) -> None:
    c = console(hall)
    resp = c.post("/api/v1/console/login", json={"staff": "s003", "pin": PIN, "hall": "nope"})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "bad_credentials"


def test_every_change_needs_the_csrf_header(hall: Hall) -> None:
    c, me = login(hall)
    refused = c.post("/api/v1/followups/1/close", json={"note": "x"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    wrong = c.post("/api/v1/followups/1/close", json={"note": "x"},
                   headers={"X-CSRF-Token": "0" * 40})
    assert wrong.status_code == 403
    passed = c.post("/api/v1/followups/999999/close", json={"note": "x"},
                    headers={"X-CSRF-Token": me["csrf"]})
    assert passed.status_code == 404  # past the CSRF check: no such follow-up
    assert c.post("/api/v1/console/logout").status_code == 403
    assert c.post("/api/v1/console/logout", headers={"X-CSRF-Token": me["csrf"]}
                  ).status_code == 204
    assert c.get("/api/v1/console/me").status_code == 401


def test_bearer_principals_need_no_cookie_or_csrf(hall: Hall) -> None:
    sup = hall.staff("W03", "s003")  # a supervisor's counter session
    me = sup.get("/console/me")
    assert me.status_code == 200 and me.json()["csrf"] is None
    assert hall.staff("W01", "s001").get("/console/me").status_code == 403


def test_the_event_stream_takes_the_cookie(hall: Hall) -> None:
    c, _ = login(hall)
    with c.stream("GET", "/api/v1/events", params={"since": "today"}) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        first = next(resp.iter_lines())
        assert first.startswith("retry:")


def test_the_console_is_served_with_a_strict_policy(hall: Hall) -> None:
    c = console(hall)
    page = c.get("/console/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert '<script src="console.js"' in page.text
    assert c.get("/console", follow_redirects=False).status_code == 308
    js = c.get("/console/console.js")
    assert js.status_code == 200 and "Console.page" not in js.text[:0]
    assert js.headers["content-security-policy"] == csp
    charts = c.get("/console/vendor/echarts/echarts.min.js")
    assert charts.status_code == 200 and len(charts.content) > 500_000
    assert c.get("/console/vendor/echarts/LICENSE").text.lstrip().startswith("Apache License")
    assert c.get("/console/nothing.js").status_code == 404


def test_another_origin_is_refused(hall: Hall) -> None:
    c = console(hall)
    evil = {"Origin": "http://evil.example"}
    resp = c.post("/api/v1/console/login", json={"staff": "s003", "pin": PIN, "hall": hall.id},
                  headers=evil)
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "cross_origin"
    c, me = login(hall)
    same = {"Origin": hall.server.url, "X-CSRF-Token": me["csrf"]}
    assert c.post("/api/v1/followups/999999/close", json={"note": "x"}, headers=same
                  ).status_code == 404
    resp = c.post("/api/v1/followups/999999/close", json={"note": "x"},
                  headers={**evil, "X-CSRF-Token": me["csrf"]})
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "cross_origin"
