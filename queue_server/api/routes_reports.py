"""HTTP endpoints of the supervision figures (CONTRACT.md §5; the series are docs/api.md's
extension): thin, for a supervisor or admin staff session or an administrator token."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from queue_server.api.http_errors import ERROR_RESPONSES
from queue_server.api.routes import Who, hall_of, store_of
from queue_server.domain.figures import Filter
from queue_server.usecases import figures
from queue_server.usecases.auth import require_supervisor
from queue_server.usecases.bulletin import bulletin as bulletin_of
from queue_server.usecases.bulletin_files import MEDIA, render

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
Text = Annotated[str | None, Query(max_length=40)]


def _asked(request: Request, principal: Who,
           start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
           end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
           zone: Text = None, service: Text = None, counter: Text = None, staff: Text = None
           ) -> tuple[Any, Filter]:
    """What a figures reading asks for: its period and filter, for a supervisor only."""
    require_supervisor(principal)
    period = figures.period_of(hall_of(principal, request), start, end)
    return period, Filter(zone or None, service or None, counter or None, staff or None)


Asked = Annotated[tuple[Any, Filter], Depends(_asked)]


@router.get("/reports/kpi")
def kpi(request: Request, principal: Who, asked: Asked) -> dict[str, Any]:
    return figures.kpi_report(store_of(request), principal, *asked)


@router.get("/reports/series")
def series(request: Request, principal: Who, asked: Asked) -> dict[str, Any]:
    return figures.series_report(store_of(request), principal, *asked)


@router.get("/reports/bulletin", response_model=None)
def bulletin(request: Request, principal: Who,
             month: Annotated[str | None, Query(max_length=7)] = None,
             format: Annotated[str, Query(pattern="^(json|csv|xlsx|pdf)$")] = "json"
             ) -> Response | dict[str, Any]:
    """The monthly bulletin (月通报) as JSON, or as a file to download."""
    require_supervisor(principal)
    hall = hall_of(principal, request)
    data = bulletin_of(store_of(request), principal, hall, month or "")
    if format == "json":
        return asdict(data) | {"first": data.first.isoformat(), "last": data.last.isoformat()}
    suffix = f".{format}"
    return Response(render(data, suffix), media_type=MEDIA[suffix], headers={
        "Content-Disposition": f'attachment; filename="bulletin-{hall}-{data.month}{suffix}"'})
