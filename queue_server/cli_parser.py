"""The commands' argument parser: a usage mistake is one line on standard error and exit 2
(contract §1: "2 on bad usage or bad input with a one-line reason"), Chinese first, then
argparse's own words, then the command's usage squeezed into the same line (the whole usage
block of a long command is for `--help`):

    python -m provisioning staff: 用法错误:缺少必需的参数 --pin-stdin / the following arguments
    are required: --pin-stdin (用法 / usage: python -m provisioning staff [-h] --db DB ...)

Options are never abbreviated (`allow_abbrev=False`): `--pin 8642` was taken for `--pin-stdin`.
A subcommand refuses what it does not recognise itself, so the line names the subcommand; one
given `secret_extras` (a command that reads a PIN) never repeats those arguments: one may be the
PIN. Shared by `queue_server`, `provisioning` and `kiosk` (`devices`, which knows nothing of
queue_server, has its own)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any, NoReturn, cast

# argparse's messages (Python 3.11) and their gist in Chinese; {0}, {1}... are the groups.
_GISTS = (
    (r"the following arguments are required: (.+)", "缺少必需的参数 {0}"),
    (r"one of the arguments (.+) is required", "须给出 {0} 中的一个"),
    (r"unrecognized arguments: (.+)", "无法识别的参数 {0}"),
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)", "参数 {0} 不能取 {1},可选:{2}"),
    (r"argument (\S+): invalid int value: (.+)", "参数 {0} 应为整数,写的是 {1}"),
    (r"argument (\S+): invalid float value: (.+)", "参数 {0} 应为数字,写的是 {1}"),
    (r"argument (\S+): invalid \w+ value: (.+)", "参数 {0} 的值 {1} 无效"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面要写一个值"),
    (r"argument (\S+): expected at least one argument", "参数 {0} 后面至少要写一个值"),
    (r"argument (\S+): expected at most one argument", "参数 {0} 后面最多写一个值"),
    (r"argument (\S+): not allowed with argument (\S+)", "参数 {0} 不能与 {1} 同时使用"),
    (r"argument (\S+): ignored explicit argument (.+)", "参数 {0} 不带值,写的是 {1}"),
)
GENERAL = "命令行参数不对"
LONGEST_USAGE = 160  # characters; a longer usage is left to --help
_OPTION = re.compile(r"--?[A-Za-z][\w-]*")


def gist(message: str) -> str:
    """argparse's `message` said in Chinese (its gist), or a general word for it."""
    for pattern, zh in _GISTS:
        match = re.fullmatch(pattern, message)
        if match:
            return zh.format(*match.groups())
    return GENERAL


class OneLineParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, secret_extras: tuple[str, str] | None = None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.secret_extras = secret_extras

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", SubcommandParser)
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: 用法错误:{gist(message)} / {message} ({self._usage()})\n")

    def _usage(self) -> str:
        usage = " ".join(self.format_usage().split()).removeprefix("usage: ")
        if len(usage) > LONGEST_USAGE:
            return "用法见 --help / --help for usage"
        return f"用法 / usage: {usage}"


class SubcommandParser(OneLineParser):
    """A subcommand's parser: what it does not recognise no one will, so it says so itself
    (with its own name and usage), and without the arguments when they may be secret."""

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None
                         ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self.secret_extras is not None:
            zh, en = self.secret_extras
            shown = " ".join(m.group() for m in map(_OPTION.match, extras) if m)
            self.exit(2, f"{self.prog}: 用法错误:多余的参数{f'({shown})' if shown else ''}"
                         f"不予显示;{zh} / unexpected arguments{f' ({shown})' if shown else ''}, "
                         f"not shown: {en} ({self._usage()})\n")
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return cast(argparse.Namespace, parsed), extras
