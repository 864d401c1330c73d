"""The busiest endpoints' ordinary requests answered without FastAPI's per-request machinery.

Why: FastAPI spends some 40-55 µs of the event loop on each request before and after its
endpoint (dependency solving, parameter extraction, its handler's bookkeeping), a plain
Starlette route about 10. A kiosk's issue and a counter's call cycle are four requests, each
a few hundred µs of CPU in all: this was a tenth of them.

How: for each documented route of the busy routers (`routes.busy`, `routes_counters.busy`),
a Starlette route on the same path and methods, matched before all others, calls the very
same endpoint function with the arguments FastAPI would give it, in FastAPI's order: the body
is read and decoded first, then the dependencies (the bearer token check), then the body is
validated into its model. Only an ordinary request is answered here: a JSON body (by its
Content-Type) that decodes and validates. Anything else (no body, malformed JSON, another
Content-Type, a body its model refuses) goes to the FastAPI route itself, with the body it
sent, so every error answer is FastAPI's own. Errors the endpoint raises (401, 403, 409, 503)
reach the app's exception handlers as from FastAPI. The endpoints keep their FastAPI
signatures, so the OpenAPI document is unchanged.

A route whose signature uses what this does not know (query parameters, typed path
parameters, forms) is refused when the app is built. tests/queue_server/test_lane.py checks
that the lane and FastAPI answer the same requests alike."""

from __future__ import annotations

import email.message
import functools
import inspect
import json
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from fastapi import FastAPI, Request
from fastapi.params import Depends, Header
from fastapi.routing import APIRoute, APIRouter
from pydantic import BaseModel, ValidationError
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from queue_server.api.http_errors import replay


class Lane:
    """The ASGI app of one busy route's lane."""

    def __init__(self, route: APIRoute) -> None:
        self.route = route
        self.endpoint = route.endpoint
        self.body_model: type[BaseModel] | None = None
        self.args: list[tuple[str, str, Any]] = []  # (parameter, kind, what it needs)
        hints = get_type_hints(self.endpoint, include_extras=True)
        for name, param in inspect.signature(self.endpoint).parameters.items():
            self.args.append((name, *self._kind(name, hints.get(name), param)))

    def _kind(self, name: str, hint: Any, param: inspect.Parameter) -> tuple[str, Any]:
        base, meta = hint, ()
        if get_origin(hint) is Annotated:
            base, *extra = get_args(hint)
            meta = tuple(extra)
        if base is Request:
            return "request", None
        depends = [m for m in meta if isinstance(m, Depends)]
        if depends and depends[0].dependency is not None:
            return "depends", depends[0].dependency
        headers = [m for m in meta if isinstance(m, Header)]
        if headers:
            alias = headers[0].alias or name.replace("_", "-")
            return "header", alias.lower()
        if inspect.isclass(base) and issubclass(base, BaseModel) and self.body_model is None:
            self.body_model = base
            return "body", None
        if base is str and f"{{{name}}}" in self.route.path:
            return "path", None
        raise TypeError(f"lane: {self.route.path} {name}: {hint!r} is not supported")

    def _ordinary_body(self, scope: Scope, raw: bytes) -> BaseModel | None:
        """The body as FastAPI would validate it, if the request is ordinary; else None."""
        assert self.body_model is not None
        content_type = next((v.decode("latin-1") for k, v in scope["headers"]
                             if k == b"content-type"), None)
        if not raw or content_type is None or not _is_json(content_type):
            return None
        try:
            return self.body_model.model_validate(json.loads(raw), from_attributes=True)
        except (ValueError, ValidationError, RecursionError):  # JSONDecodeError, a bad
            return None  # encoding, the model, a body nested past the parser's depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = None
        if self.body_model is not None:
            raw = await _read_body(receive)
            if raw is None:
                return
            receive = replay(raw, receive)
            body = self._ordinary_body(scope, raw)
            if body is None:  # FastAPI answers it: its own errors, exactly
                await self.route.app(scope, receive, send)
                return
        request = Request(scope, receive)
        kwargs: dict[str, Any] = {}
        for name, kind, need in self.args:
            if kind == "request":
                kwargs[name] = request
            elif kind == "depends":
                value = need(request)
                kwargs[name] = await value if inspect.isawaitable(value) else value
            elif kind == "header":
                kwargs[name] = request.headers.get(need)
            elif kind == "path":
                kwargs[name] = scope["path_params"][name]
            else:
                kwargs[name] = body
        response = await self.endpoint(**kwargs)
        await response(scope, receive, send)


async def _read_body(receive: Receive) -> bytes | None:
    """The request's body (`BodyLimit` has read it ahead into one message); None when the
    client went away before it all came (nobody to answer)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


@functools.lru_cache(maxsize=64)
def _is_json(content_type: str) -> bool:
    """FastAPI's test of a Content-Type for a JSON body (application/json, application/*+json),
    made once per distinct header value."""
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


def install(app: FastAPI, routers: list[APIRouter]) -> None:
    """A lane before all other routes for each HTTP route of `routers` (already included)."""
    lanes = []
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                lane = Route(route.path, Lane(route), name=route.name, include_in_schema=False)
                lane.methods = set(route.methods)  # not HEAD, which Starlette adds to a GET
                lanes.append(lane)
    app.router.routes[0:0] = lanes
