"""The commands' argument parser (queue_server/cli_parser.py): a usage mistake is one line,
Chinese first then argparse's words and the usage; no option is ever abbreviated, in the
server's parser and in every parser of `provisioning` (`--pin 8642` was taken for `--pin-stdin`,
and the PIN then echoed as an unrecognized argument)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from provisioning.__main__ import build_parser as provisioning_parser
from queue_server.__main__ import build_parser as server_parser
from queue_server.cli_parser import GENERAL, OneLineParser, gist

CJK = re.compile(r"[\u4e00-\u9fff]")


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its subparsers only here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_no_parser_takes_an_abbreviation() -> None:
    parsers = [*_parsers(provisioning_parser()), server_parser()]
    assert len(parsers) > 15  # every subcommand, calendar's import and show
    assert [p.prog for p in parsers if p.allow_abbrev] == []
    assert all(isinstance(p, OneLineParser) for p in parsers)


def _refusal(parser: argparse.ArgumentParser, argv: list[str],
             capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        parser.parse_args(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


@pytest.mark.parametrize(("argv", "zh", "en"), [
    (["staff", "--db", "x", "--id", "s1"], "缺少必需的参数 --pin-stdin",
     "the following arguments are required: --pin-stdin"),
    (["enrol", "--db", "x", "--kind", "kiosk", "--name", "k", "extra"], "无法识别的参数 extra",
     "unrecognized arguments: extra"),
    (["calendar", "show", "--db", "x", "--year", "x"], "参数 --year 应为整数",
     "argument --year: invalid int value: 'x'"),
    (["revoke", "--db", "x", "--name", "a", "--id", "1"], "参数 --id 不能与 --name 同时使用",
     "argument --id: not allowed with argument --name"),
    (["list", "--d", "x", "--db", "y"], "无法识别的参数 --d x", "unrecognized arguments: --d x"),
])
def test_a_usage_mistake_is_one_line_chinese_first_with_the_usage(
        argv: list[str], zh: str, en: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(provisioning_parser(), argv, capsys)
    prog = "python -m provisioning " + " ".join(argv[:2] if argv[0] == "calendar" else argv[:1])
    assert err.startswith(f"{prog}: 用法错误:{zh}"), err
    said = err.removeprefix(f"{prog}: 用法错误:")
    assert " / " in said and en in said.partition(" / ")[2], err
    assert f"(用法 / usage: {prog} [-h]" in err, err


def test_the_server_s_mistakes_too(capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(server_parser(), ["--port", "x"], capsys)
    assert err.startswith("python -m queue_server: 用法错误:参数 --port 应为整数"), err
    assert "argument --port: invalid int value: 'x'" in err and "--help" in err
    err = _refusal(server_parser(), ["--no-zero"], capsys)  # abbreviated: refused, not guessed
    assert "无法识别的参数 --no-zero / unrecognized arguments: --no-zero" in err


@pytest.mark.parametrize("argv", [
    ["--pin-stdin", "8642"],  # the PIN given as an argument
    ["--pin-stdin", "--pin", "8642"],
    ["--pin-stdin", "--pin=8642"],
    ["--pin-stdin", "-8642"],
])
def test_a_stray_argument_of_the_pin_command_is_never_repeated(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(provisioning_parser(), ["staff", "--db", "x", "--id", "s1", *argv], capsys)
    assert "8642" not in err, err
    assert err.startswith("python -m provisioning staff: 用法错误:"), err
    assert "密码只从标准输入读取" in err and "standard input only" in err, err
    if "--pin" in argv or "--pin=8642" in argv:
        assert "(--pin)" in err  # the option's name is no secret


def test_pin_is_not_an_abbreviation_of_pin_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(provisioning_parser(), ["staff", "--db", "x", "--id", "s1", "--pin", "8642"],
                   capsys)
    assert "缺少必需的参数 --pin-stdin" in err and "8642" not in err, err


def test_every_gist_is_chinese() -> None:
    said = [gist(m) for m in (
        "the following arguments are required: --db", "unrecognized arguments: x",
        "argument --kind: expected one argument", "one of the arguments --name --id is required",
        "argument COMMAND: invalid choice: 'x' (choose from 'a', 'b')",
        "argument --size: invalid float value: 'x'", "argument --out: invalid Path value: ''",
        "argument --json: ignored explicit argument 'x'")]
    assert GENERAL not in said and all(CJK.match(s) for s in said), said
    assert gist("something argparse says one day") == GENERAL
