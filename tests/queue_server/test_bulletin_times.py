"""Times a supervisor reads in files are the hall's: the 月通报 PDF's header said
"截至 / as of 2026-12-07T07:21:02.349455+00:00" and the exports were named by UTC
(…-20261207-0721 at 15:21 in the hall)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from fpdf import FPDF

from queue_server.usecases import bulletin_files
from queue_server.usecases.auth import Principal
from queue_server.usecases.bulletin import bulletin
from tests.queue_server.live_hall import live_hall

NOW = datetime(2026, 12, 7, 7, 21, 2, 349455, tzinfo=UTC)  # 15:21 in Shanghai


def test_the_bulletin_and_the_exports_use_the_halls_time(tmp_path: Path) -> None:
    with live_hall(f"sqlite:///{tmp_path / 'times.db'}", NOW) as hall:
        admin = Principal(kind="admin", hall=None)
        b = bulletin(hall.store, admin, hall.hall, "2026-12")
        assert b.as_of_local == "2026-12-07 15:21"
        with mock.patch.object(FPDF, "cell", autospec=True,
                               side_effect=FPDF.cell) as cell:
            assert bulletin_files.to_pdf(b).startswith(b"%PDF")
        texts = [str(c.args[3] if len(c.args) > 3 else c.kwargs.get("text", ""))
                 for c in cell.call_args_list]
        header = next(t for t in texts if t.startswith("截至"))
        assert header.startswith("截至 / as of 2026-12-07 15:21;"), header
        with hall.client(hall.admin) as c:
            for table in ("ratings", "terminals"):
                got = c.get(f"/export/{table}", params={"format": "csv"})
                assert got.status_code == 200, got.text
                assert "-20261207-1521.csv" in got.headers["content-disposition"], table
