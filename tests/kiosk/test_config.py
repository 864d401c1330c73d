from pathlib import Path

import pytest

from kiosk.config import ConfigError, TerminalConfig, dump_config, load_config


def test_defaults_use_zeroconf_and_simulators() -> None:
    config = load_config(None, role="kiosk")
    assert config.server == "auto"
    assert config.devices.idcard.startswith("sim://")


def test_round_trip(tmp_path: Path) -> None:
    config = TerminalConfig(role="counter", server="http://127.0.0.1:8750", token="t", counter="W01")
    path = tmp_path / "t.toml"
    path.write_text(dump_config(config), encoding="utf-8")
    assert load_config(path) == config


def test_round_trip_of_awkward_text(tmp_path: Path) -> None:
    """A notice an administrator typed with line breaks, tabs, quotes and backslashes."""
    from kiosk.config import DisplayOptions

    notice = '今日\n午休 12:00–13:30\t"请排队" C:\\path \x7f'
    config = TerminalConfig(role="display", display=DisplayOptions(notice=notice))
    path = tmp_path / "d.toml"
    path.write_text(dump_config(config), encoding="utf-8")
    assert load_config(path).display.notice == notice


@pytest.mark.parametrize(
    ("text", "needle"),
    [("role = ", "not valid TOML"), ("idle_timeout_s = 1", "idle_timeout_s"), ("bogus = 1", "bogus"),
     ("a = " + "[" * 5000 + "]" * 5000, "nested too deeply")],
)
def test_bad_files_say_where(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_a_file_saved_by_a_windows_editor(tmp_path: Path) -> None:
    """Notepad's "UTF-8" starts with a byte-order mark (tomllib refused it at line 1, column 1):
    read. Chinese Windows' default, GBK, is refused with its line, saying to save as UTF-8."""
    path = tmp_path / "kiosk.toml"
    path.write_bytes("\ufeffrole = \"counter\"\ncounter = \"W05\"\n".encode())
    assert (load_config(path).role, load_config(path).counter) == ("counter", "W05")
    path.write_bytes('role = "kiosk"\n# 自助机\n'.encode("gbk"))
    with pytest.raises(ConfigError, match=r"kiosk.toml:2: 文件不是 UTF-8 编码.*save it as UTF-8"):
        load_config(path)
