"""The supervisor's console: its login, logout, `me` and `session` under `/api/v1/console/`, and the
browser app itself at `/console/` (static files beside this module in `console/`, served with
a strict Content-Security-Policy: everything from this origin, nothing from outside).

`/console/` is `console/index.html` with one `<script>` per file of `console/pages/` in name
order: a page is added by dropping a file there (see `console/README.md`)."""

from __future__ import annotations

import html
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from queue_server.api.console_session import check_origin, clear_cookie, cookie_of, set_cookie
from queue_server.api.http_errors import ERROR_RESPONSES
from queue_server.api.routes import Who, bearer, hall_of, store_of, who
from queue_server.domain.errors import Unauthorized
from queue_server.usecases import console_auth
from queue_server.usecases.auth import Principal
from queue_server.wire_console import ConsoleLoginIn, ConsoleMe, ConsoleSessionOut

CONSOLE_DIR = Path(__file__).with_name("console")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                               "style-src 'self'; script-src 'self'; connect-src 'self'; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(responses=ERROR_RESPONSES)


def _client(request: Request) -> str:
    return f"console:{request.client.host if request.client else '?'}"


@router.post("/api/v1/console/login", response_model=ConsoleMe)
def console_login(request: Request, body: ConsoleLoginIn, response: Response) -> ConsoleMe:
    check_origin(request)
    done = console_auth.login(store_of(request), body.hall, body.staff, body.pin,
                              _client(request))
    set_cookie(response, request, done.token, done.expires_at)
    return ConsoleMe(staff=done.staff, staff_name=done.staff_name, role=done.role,
                     hall=done.hall, hall_name=done.hall_name,
                     csrf=console_auth.csrf_of(done.token), expires_at=done.expires_at,
                     timezone=done.timezone)


@router.post("/api/v1/console/logout", status_code=204)
def console_logout(request: Request, principal: Who) -> Response:
    """Ends the cookie's session (CSRF-checked like every change)."""
    token = cookie_of(request)
    if token:
        console_auth.logout(store_of(request), token)
    response = Response(status_code=204)
    clear_cookie(response, request)
    return response


@router.get("/api/v1/console/me", response_model=ConsoleMe)
def console_me(request: Request, principal: Who) -> ConsoleMe:
    return _me(request, principal)


@router.get("/api/v1/console/session", response_model=ConsoleSessionOut)
def console_session(request: Request, response: Response) -> ConsoleSessionOut:
    """Is anyone signed in? The console's page asks this before its login form: with no
    session cookie (or one that ended, which is then cleared) the answer is 200
    `{"signed_in": false}`, not a 401 in the browser's console and the server's log; with a
    session, `me` is what `GET /console/me` answers. A Bearer token is checked as ever."""
    if not bearer(request):
        if not cookie_of(request):
            return ConsoleSessionOut(signed_in=False)
        try:
            principal = who(request)
        except Unauthorized:
            clear_cookie(response, request)
            return ConsoleSessionOut(signed_in=False)
    else:
        principal = who(request)
    return ConsoleSessionOut(signed_in=True, me=_me(request, principal))


def _me(request: Request, principal: Principal) -> ConsoleMe:
    hall = hall_of(principal, request)
    header = request.headers.get("authorization", "")
    token = cookie_of(request) if not header else ""
    bearer_token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    found = console_auth.me(store_of(request), principal, hall, token or "", bearer_token)
    return ConsoleMe(staff=principal.staff_id, staff_name=found.staff_name, role=found.role,
                     hall=hall, hall_name=found.hall_name,
                     csrf=console_auth.csrf_of(token) if token else None,
                     expires_at=found.expires_at, timezone=found.timezone)


def page_scripts() -> list[str]:
    """The page modules of the console, in name order."""
    return sorted(p.name for p in (CONSOLE_DIR / "pages").glob("*.js"))


@router.get("/console", include_in_schema=False)
def console_root() -> Response:
    return RedirectResponse("/console/", status_code=308)


@router.get("/console/", include_in_schema=False)
def console_index() -> HTMLResponse:
    text = (CONSOLE_DIR / "index.html").read_text(encoding="utf-8")
    tags = "\n".join(f'<script src="pages/{html.escape(name)}" defer></script>'
                     for name in page_scripts())
    return HTMLResponse(text.replace("<!--PAGES-->", tags), headers=HEADERS)


class ConsoleFiles(StaticFiles):
    """The console's static files with the console's security headers."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
            await send(message)

        await super().__call__(scope, receive, with_headers)


def mount(app: object) -> None:
    """Routes first (so `/console/` is the generated index), then the static files."""
    app.include_router(router)  # type: ignore[attr-defined]
    app.mount("/console", ConsoleFiles(directory=CONSOLE_DIR), name="console")  # type: ignore[attr-defined]
