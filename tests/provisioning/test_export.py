"""`provisioning export`: the configuration in the database, written back to TOML, loads into
the same configuration (round trip), for the example hall with its bank outpost."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioning.__main__ import main
from queue_server.config import HallConfig, load_config, parse_config
from tests.provisioning.conftest import BACKENDS, HJHQ, MINIMAL, load_hall


def _normal(cfg: HallConfig) -> HallConfig:
    return cfg.model_copy(update={"staff": sorted(cfg.staff, key=lambda s: s.id)})


@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.parametrize("example", [HJHQ, MINIMAL], ids=["hjhq", "minimal"])
def test_export_round_trips(kind: str, example: Path, db_factory, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory(kind)
    load_hall(url, example)
    out = tmp_path / "export.toml"
    assert main(["export", "--db", url, "--out", str(out)]) == 0
    exported = parse_config(out.read_text(encoding="utf-8"), str(out))
    assert _normal(exported) == _normal(load_config(example))
    # loading the export again changes nothing and exports the same text (but the stamp)
    load_hall(url, out)
    assert main(["export", "--db", url]) == 0
    again = capsys.readouterr().out
    assert again.splitlines()[2:] == out.read_text(encoding="utf-8").splitlines()[2:]


def test_export_shows_the_outpost_and_chinese_text(db_factory, capsys: pytest.CaptureFixture[str]
                                                   ) -> None:
    url = db_factory("sqlite")
    load_hall(url)
    assert main(["export", "--db", url]) == 0
    text = capsys.readouterr().out
    assert "[[outposts.counters]]" in text and "农业银行杭锦后旗支行" in text
    assert '"法定代表人、董事、监事、经理任职文件"' in text


def test_export_of_an_empty_or_unknown_hall_exits_2(db_factory, capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    url = db_factory("sqlite")
    from queue_server.db.store import migrate
    migrate(url)
    assert main(["export", "--db", url]) == 2
    said = capsys.readouterr().err
    assert "provisioning init" in said and "库中没有大厅" in said  # Chinese first, the same
    load_hall(url)
    assert main(["export", "--db", url, "--hall", "nowhere"]) == 2
    said = capsys.readouterr().err
    assert "没有大厅 nowhere" in said and "no hall 'nowhere'" in said
