"""The API's error shape: every failure is `{"error": {"code", "message"}}` with a 4xx status,
or a 503 with Retry-After when the database cannot serve now (`busy`, `storage_full`,
`db_unavailable`; logged once per change by the store's health, never per request); any other
5xx is a defect and is logged. Also the request body's limits: 413 over its size, 408 when it
does not arrive in time, both before the app sees a byte."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Iterator
from contextlib import AsyncExitStack
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.api.ratelimit import RateLimited
from queue_server.db.busy import Busy, Unavailable, unavailable
from queue_server.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    TooMany,
    Unauthorized,
)
from queue_server.wire import ErrorBody

log = logging.getLogger(__name__)
STATUS: dict[type[DomainError], int] = {Invalid: 400, NotFound: 404, Conflict: 409,
                                        Unauthorized: 401, Forbidden: 403, Locked: 429,
                                        TooMany: 429}
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "body_too_large",
              415: "unsupported_media_type"}
_RETRY = {"Retry-After": {"description": "seconds to wait before retrying",
                          "schema": {"type": "integer"}}}
# The error answers every endpoint may give, for the OpenAPI document (`{"error": {...}}`).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "malformed or invalid request"},
    401: {"model": ErrorBody, "description": "missing or unknown token"},
    403: {"model": ErrorBody, "description": "not allowed for this terminal or session"},
    404: {"model": ErrorBody, "description": "no such thing"},
    409: {"model": ErrorBody, "description": "not possible in the present state"},
    413: {"model": ErrorBody, "description": "body_too_large"},
    422: {"model": ErrorBody, "description": "invalid_request: the body or a parameter does "
          "not match the schema"},
    429: {"model": ErrorBody, "description": "rate_limited or staff_locked",
          "headers": _RETRY},
    503: {"model": ErrorBody, "description": "busy, storage_full or db_unavailable: retry "
          "later with the same Idempotency-Key", "headers": _RETRY},
}
UNAVAILABLE = {
    "busy": "服务器繁忙,请稍后重试 / busy, retry shortly",
    "storage_full": "服务器存储空间已满,请稍后重试 / the server's disk is full, retry later",
    "db_unavailable": "数据库暂不可用,请稍后重试 / the database is unavailable, retry shortly",
}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None,
          details: dict[str, str] | None = None) -> JSONResponse:
    """The error answer; `details` add fields beside code and message (never replace them)."""
    body = {**(details or {}), "code": code, "message": message}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


# The framework's own refusals (its words in English), said in Chinese first
HTTP_WORDS = {404: "没有此地址", 405: "此地址不接受该请求方法", 406: "无法提供所要求的格式",
              413: "请求体过大", 415: "不支持此内容类型"}
# FastAPI's words for a body its JSON parser could not read for another reason than its syntax
_UNPARSED = "There was an error parsing the body"


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    first: dict[str, Any] = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return 400, "malformed_json", "请求体不是有效的 JSON / the body is not valid JSON"
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    msg = str(first.get("msg", "invalid"))
    if first.get("type") == "extra_forbidden":
        msg = "unknown field"
    where = f"({loc})" if loc else ""
    return 422, "invalid_request", (f"请求内容不符合要求{where} / {loc}: {msg}" if loc
                                    else f"请求内容不符合要求 / {msg}")


def _not_json(request: Request, exc: RequestValidationError) -> bool:
    """A body sent without a JSON content type (curl -d's form type, or none): FastAPI read
    it as bytes, and said "Input should be a valid dictionary" of a good JSON body."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return False
    if request.headers.get("content-length", "0") == "0" and \
            "transfer-encoding" not in request.headers:
        return False  # no body at all: the fields it lacks are named (422)
    errors = exc.errors()
    return bool(errors) and tuple(errors[0].get("loc", ())) == ("body",)


def domain_answer(exc: DomainError) -> JSONResponse:
    """A refusal's answer: its status by kind (`STATUS`), its code and message."""
    status = next((v for k, v in STATUS.items() if isinstance(exc, k)), 409)
    headers = ({"Retry-After": str(exc.retry_after)} if isinstance(exc, Locked | TooMany)
               else None)
    return error(status, exc.code, exc.message, headers, exc.details)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_r: Request, exc: DomainError) -> JSONResponse:
        return domain_answer(exc)

    @app.exception_handler(Unavailable)
    async def _unavailable(request: Request, exc: Unavailable) -> JSONResponse:
        return unavailable_answer(request, exc)

    @app.exception_handler(RateLimited)
    async def _limited(_r: Request, exc: RateLimited) -> JSONResponse:
        return error(429, "rate_limited", f"请求过于频繁,请 {exc.retry_after} 秒后再试 / too many "
                     f"requests, retry in {exc.retry_after} s",
                     {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if _not_json(request, exc):
            return error(415, "unsupported_media_type", "请求体须为 JSON(Content-Type: "
                         "application/json) / send the body as JSON (Content-Type: "
                         "application/json)")
        return error(*_validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 400 and detail == _UNPARSED:  # bytes not UTF-8, nesting too deep
            return error(400, "malformed_json", "请求体不是有效的 JSON / the body is not valid JSON")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only the first route's
            headers["Allow"] = ", ".join(_allowed(request))
        zh = HTTP_WORDS.get(exc.status_code)
        if zh and " / " not in detail:
            detail = f"{zh} / {detail}"
        return error(exc.status_code, code, detail, headers or None)

    @app.exception_handler(DBAPIError)
    async def _db(request: Request, exc: DBAPIError) -> JSONResponse:
        return database_answer(request, exc)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return defect(request)


def defect(request: Request) -> JSONResponse:
    log.exception("defect: %s %s", request.method, request.url.path)
    return error(500, "internal_error", "服务器内部错误 / internal error")


def database_answer(request: Request, exc: DBAPIError) -> JSONResponse:
    """A driver error no unit of work translated (a read, say): 503 when the database cannot
    serve now, 400 for a value it cannot hold, else a defect."""
    translated = unavailable(exc)
    if translated is not None:
        return unavailable_answer(request, translated)
    if isinstance(exc, DataError):
        # e.g. a NUL character, which PostgreSQL text cannot hold: the input's fault
        return error(400, "invalid_value", "请求中含有无效字符 / the request holds an "
                     "invalid character or value")
    return defect(request)


def _allowed(request: Request) -> list[str]:
    """The methods the app's routes take at this request's path (one path may have a route
    per method: Starlette's 405 names only the first). Where routes of several templates
    match (/tickets/lookup and /tickets/{ticket_id}), those with the fewest parameters: the
    resource the path names, as the API document lists it."""
    from starlette.routing import Match

    scope = {**request.scope, "method": ""}
    found: list[tuple[int, set[str]]] = []
    for route in _leaves(request.app.router.routes):
        match, _ = route.matches(scope)
        if match != Match.NONE:
            found.append((str(getattr(route, "path", "")).count("{"), set(route.methods)))
    fewest = min((n for n, _ in found), default=0)
    return sorted(set().union(*(m for n, m in found if n == fewest)))


def _leaves(routes: Any) -> Iterator[Any]:
    """The routes themselves, inside the routers that hold them: FastAPI 0.16x keeps an
    included router as one entry of its app's routes (`original_router`), older versions
    copy its routes in."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _leaves(inner.routes)
        elif getattr(route, "methods", None) is not None:
            yield route


def unavailable_answer(request: Request, exc: Unavailable) -> JSONResponse:
    """503 with the failure's code and Retry-After; the store's health notes it (and logs the
    change once)."""
    request.app.state.store.health.failed(exc)
    return error(503, exc.code, UNAVAILABLE.get(exc.code, UNAVAILABLE["db_unavailable"]),
                 {"Retry-After": str(exc.retry_after)})


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}},
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# The endpoints whose units run through `Store.run` (its pending count is what sheds).
_SHED_PATHS = re.compile(r"^/api/v1/(tickets|tickets/[^/]+/arrive|counters/[^/]+/(call-next|recall|"
                         r"no-show|start|finish|transfer|pause|resume|confirm-priority))$")


class Shed:
    """Load shedding at the door: a request for one more unit (`_SHED_PATHS`) takes its place
    among those waiting for the database (`Store.admitted`) once its body has arrived
    (`BodyLimit` runs first: a trickled body holds no place), before routing, body parsing or
    authentication, and holds it to its answer. While the store already has as many waiting
    as it takes (`Store.shed.limit`), the request is answered 503 `busy` with Retry-After at
    once, so a refusal costs almost nothing and what is accepted keeps a bounded wait; kiosks
    retry with the same key.

    A request on a connection that was refused less than `RETRY_AFTER` seconds ago retried
    without waiting as it was told: once refusals outnumber the units served several times
    over, it waits a few milliseconds at the door for a place before it is refused, so clients
    that retry at once cannot crowd out what was accepted. Other requests are never held
    there: an open crowd of new requests beyond capacity (which a wait would not slow down)
    is refused at once. Measured (bench_scale --parts sqlite,open, 2026-12-06): with every
    refusal able to wait, twice the capacity in an open loop got its 503s at p99 in 170 ms to
    1 s and the accepted requests' p99 went to 0.4-1.1 s, the door's waits counted in."""

    RETRY_AFTER = 1.0  # seconds, as the 503's Retry-After header says
    _REMEMBERED = 4096  # connections refused lately, at most (the oldest forgotten first)
    clock = staticmethod(time.monotonic)  # a test's own clock, where the machine's would race

    def __init__(self, app: ASGIApp, store: Any) -> None:
        self.app, self.store = app, store
        body = json.dumps({"error": {"code": "busy", "message": UNAVAILABLE["busy"]}},
                          ensure_ascii=False).encode()
        self._start = {"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"application/json"),
            (b"retry-after", str(int(self.RETRY_AFTER)).encode()),
            (b"content-length", str(len(body)).encode())]}
        self._body = {"type": "http.response.body", "body": body}
        # connection (client address and port) -> when it was last refused (monotonic)
        self._refused: OrderedDict[Any, float] = OrderedDict()
        # who asks (the Authorization header: a terminal or a staff session; else the client's
        # address) -> its requests holding a place now
        self._holding: dict[bytes, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["method"] == "POST"
                and _SHED_PATHS.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        who = _asker(scope)
        holding = self._holding
        async with AsyncExitStack() as place:
            try:
                await place.enter_async_context(self.store.admitted(
                    retrying=self._retrying(client), first=who not in holding))
            except Busy:
                self._refusing(client)
                await send(self._start)
                await send(self._body)
                return
            holding[who] = holding.get(who, 0) + 1
            try:
                await self.app(scope, receive, send)
            finally:
                left = holding.pop(who) - 1
                if left:
                    holding[who] = left

    def _retrying(self, client: Any) -> bool:
        """Whether the connection was refused lately (an unknown one is taken to be)."""
        if client is None:
            return True
        at = self._refused.get(client)
        return at is not None and self.clock() - at < self.RETRY_AFTER

    def _refusing(self, client: Any) -> None:
        if client is None:
            return
        now = self.clock()
        refused = self._refused
        refused[client] = now
        refused.move_to_end(client)
        while refused:
            oldest, at = next(iter(refused.items()))
            if now - at < self.RETRY_AFTER and len(refused) <= self._REMEMBERED:
                break
            del refused[oldest]


def _asker(scope: Scope) -> bytes:
    """Who sends a request, as the door tells them apart before authentication: its
    Authorization header (a terminal's or a staff session's token), else its address."""
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            return value
    client = scope.get("client")
    return str(client[0] if client else "").encode()


class BodyLimit:
    """Read the whole request body before the app sees it: over the limit it is 413
    `body_too_large` (at once from Content-Length, else as soon as the chunks pass it; the JSON
    parser used to turn an oversized chunked body into a 400), and a body that has not fully
    arrived within `timeout` seconds (trickled byte by byte) is 408 `body_timeout`. Requests
    without a body pass straight through."""

    def __init__(self, app: ASGIApp, default: int, large: int, large_paths: str,
                 timeout: float = 30.0) -> None:
        self.app, self.default, self.large = app, default, large
        self.large_paths = re.compile(large_paths)
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        limit = self.large if self.large_paths.search(scope["path"]) else self.default
        too_large = f"请求体过大 / body over {limit} bytes"
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(send, 413, "body_too_large", too_large)
            return
        chunks: list[bytes] = []
        seen = 0
        message, pending = _arrived(receive)
        if message is not None and message["type"] == "http.request" and not message.get(
                "more_body", False) and len(message.get("body", b"")) <= limit:
            # The whole body came with the head (a kiosk's or a counter's few bytes): nothing
            # to wait for, so no deadline to arm.
            await self.app(scope, replay(message.get("body", b""), receive), send)
            return
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    if message is None:
                        message = await (pending or receive())
                        pending = None
                    if message["type"] == "http.disconnect":
                        return  # the client went away: nobody to answer
                    chunk = message.get("body", b"")
                    seen += len(chunk)
                    if seen > limit:
                        await _refuse(send, 413, "body_too_large", too_large)
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
                    message = None
        except TimeoutError:
            await _refuse(send, 408, "body_timeout", "请求体未能按时收到 / the body did not "
                          f"arrive within {self.timeout:g} s")
            return
        await self.app(scope, replay(b"".join(chunks), receive), send)


def at_once(step: Any) -> tuple[bool, Any]:
    """Run a coroutine as far as it goes without waiting: (True, its result) if it finished,
    else (False, None) with the coroutine closed where it would have waited (uvicorn's ASGI
    send and receive change nothing before they wait). Its error, if it raised, propagates.
    A coroutine's step costs no task: the event hub writes to 2,000 streams this way, and
    `BodyLimit` takes a body that came with its head."""
    try:
        step.send(None)
    except StopIteration as done:
        return True, done.value
    step.close()
    return False, None


def _arrived(receive: Receive) -> tuple[Message | None, Awaitable[Message] | None]:
    """(the next message, None) if the server has it already; else (None, None), nothing taken
    (`at_once`). A `receive` that is not a coroutine function cannot be abandoned: (None, its
    awaitable), to be awaited."""
    step = receive()
    if not inspect.iscoroutine(step):
        return None, step
    done, message = at_once(step)
    return (cast(Message, message), None) if done else (None, None)


def replay(body: bytes, receive: Receive) -> Receive:
    """The body read ahead as one message, then the connection's own messages (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
