"""The console's cookie as a way in to `/api/v1`: a request without a Bearer token but with
the console cookie is the supervisor of that session; an unsafe method (anything but GET, HEAD,
OPTIONS) must also carry the session's CSRF token in `X-CSRF-Token`, or it is 403
`csrf_failed` before anything runs. The cookie is HttpOnly, SameSite=Strict, Path=/ (the event
stream and the exports live under `/api/v1`), Secure when served over HTTPS."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from fastapi import Request, Response

from queue_server.db.store import Store
from queue_server.domain.errors import Forbidden
from queue_server.usecases import console_auth
from queue_server.usecases.auth import Principal

COOKIE = "kb_console"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def cookie_of(request: Request) -> str:
    return request.cookies.get(COOKIE, "")


def check_origin(request: Request) -> None:
    """A browser names the page a change comes from: another origin is refused (defence in
    depth beside SameSite and the CSRF token; a script without an Origin header passes)."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Forbidden("cross_origin", "不接受来自其他网站的请求 / requests from another site "
                        "are refused")


def cookie_principal(store: Store, request: Request) -> Principal:
    """The console session's principal; checks CSRF on unsafe methods (sync: a thread)."""
    token = cookie_of(request)
    principal = console_auth.authenticate(store, token)
    if request.method not in SAFE_METHODS:
        check_origin(request)
        if not console_auth.csrf_ok(token, request.headers.get(CSRF_HEADER)):
            raise Forbidden("csrf_failed", "请求缺少有效的 CSRF 令牌,请刷新页面 / missing or "
                            "wrong CSRF token: reload the page")
    return principal


def set_cookie(response: Response, request: Request, token: str, expires: datetime) -> None:
    # (the cookie's date is GMT: an expiry in another zone was a 500)
    response.set_cookie(COOKIE, token, expires=expires.astimezone(UTC), path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
