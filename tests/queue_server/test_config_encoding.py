"""The hall file as Windows editors save it: "UTF-8" with a byte-order mark is read as if it
had none (it failed with "not valid TOML: Invalid statement (at line 1, column 1)"); a file in
GBK, or any other encoding, is refused with its line and what to do, Chinese first (it failed
with "'utf-8' codec can't decode byte 0xc0 …"); a file that cannot be read is said plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config, parse_config
from tests.procs import TEST_HALL

GOOD = TEST_HALL.read_text(encoding="utf-8")


def test_a_byte_order_mark_is_not_part_of_the_file(tmp_path: Path) -> None:
    saved = tmp_path / "hall.toml"
    saved.write_text(GOOD, encoding="utf-8-sig")
    assert saved.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_config(saved) == load_config(TEST_HALL)
    assert parse_config("\ufeff" + GOOD) == parse_config(GOOD)


def test_a_gbk_file_is_refused_at_its_first_chinese_line(tmp_path: Path) -> None:
    saved = tmp_path / "hall.toml"
    saved.write_bytes(GOOD.encode("gbk"))
    line = next(n for n, text in enumerate(GOOD.splitlines(), 1) if not text.isascii())
    with pytest.raises(ConfigError) as err:
        load_config(saved)
    assert (err.value.file, err.value.line) == (str(saved), line)
    assert str(err.value) == (f"{saved}:{line}: 文件不是 UTF-8 编码(像是 GBK):请用 UTF-8 另存(记事本:"
                              "另存为 → 编码 UTF-8) / the file is not UTF-8 (it looks like GBK): "
                              "save it as UTF-8")


def test_another_encoding_is_refused_without_a_guess(tmp_path: Path) -> None:
    saved = tmp_path / "hall.toml"
    saved.write_bytes(b"# \xff\xfe\n" + GOOD.encode())
    with pytest.raises(ConfigError) as err:
        load_config(saved)
    assert err.value.line == 1 and err.value.reason.startswith("文件不是 UTF-8 编码:请用 UTF-8 另存")


@pytest.mark.parametrize(("folder", "said"), [
    (False, "文件不存在 / cannot read: no such file"),
    (True, "这是文件夹,不是文件 / cannot read: it is a folder, not a file"),
])
def test_a_file_that_cannot_be_read_is_said_plainly(tmp_path: Path, folder: bool,
                                                    said: str) -> None:
    path = tmp_path / "hall.toml"
    if folder:
        path.mkdir()
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}: {said}"
