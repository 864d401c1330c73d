"""The API's error shape: every failure is `{"error": {"code", "message"}}` with a 4xx status
(a 5xx is a defect and is logged). Also the request body limit (413 before a byte is stored)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.db.busy import Busy
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

log = logging.getLogger(__name__)
STATUS: dict[type[DomainError], int] = {Invalid: 400, NotFound: 404, Conflict: 409,
                                        Unauthorized: 401, Forbidden: 403, Locked: 429,
                                        TooMany: 429}
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "body_too_large",
              415: "unsupported_media_type"}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None
          ) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers=headers)


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    first: dict[str, Any] = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return 400, "malformed_json", "请求体不是有效的 JSON / the body is not valid JSON"
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    msg = str(first.get("msg", "invalid"))
    if first.get("type") == "extra_forbidden":
        msg = "unknown field"
    return 422, "invalid_request", f"{loc}: {msg}" if loc else msg


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_r: Request, exc: DomainError) -> JSONResponse:
        status = next((v for k, v in STATUS.items() if isinstance(exc, k)), 409)
        headers = {"Retry-After": "300"} if isinstance(exc, Locked) else None
        if isinstance(exc, TooMany):
            headers = {"Retry-After": str(exc.retry_after)}
        return error(status, exc.code, exc.message, headers)

    @app.exception_handler(Busy)
    async def _busy(_r: Request, _exc: Busy) -> JSONResponse:
        return error(503, "busy", "服务器繁忙,请稍后重试 / busy, retry shortly",
                     {"Retry-After": "1"})

    @app.exception_handler(BodyTooLarge)
    async def _large(_r: Request, exc: BodyTooLarge) -> JSONResponse:
        return error(413, "body_too_large", f"请求体过大 / body over {exc.limit} bytes")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        return error(*_validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        return error(exc.status_code, code, detail, dict(exc.headers or {}) or None)

    @app.exception_handler(DataError)
    async def _data(_r: Request, _exc: DataError) -> JSONResponse:
        # e.g. a NUL character, which PostgreSQL text cannot hold: the input's fault
        return error(400, "invalid_value", "请求中含有无效字符 / the request holds an invalid "
                     "character or value")

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("defect: %s %s", request.method, request.url.path)
        return error(500, "internal_error", "服务器内部错误 / internal error")


class BodyLimit:
    """Refuse bodies over the limit: at once from Content-Length, else while reading."""

    def __init__(self, app: ASGIApp, default: int, large: int, large_paths: str) -> None:
        self.app, self.default, self.large = app, default, large
        self.large_paths = re.compile(large_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.large if self.large_paths.search(scope["path"]) else self.default
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            body = json.dumps({"error": {"code": "body_too_large",
                                         "message": f"请求体过大 / body over {limit} bytes"}})
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body.encode()})
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)
