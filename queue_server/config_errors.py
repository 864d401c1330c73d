"""How a refused hall configuration is said (`queue_server.config` validates, this module
words): one line `file:LINE: key: reason`. The key names a block of an array of tables by its
1-based number and its code or id (`services #4 (medical-claim).name_mn`); the line is where
the key is written, or the header of its table when the key is missing; the reason is Chinese,
then English. Validators say their own reasons that way at their source (`Refused` for a rule
between sections); pydantic's (a wrong type, a number out of range, an unknown key) are put in
those words here. `decoded` reads a TOML file's bytes as the hall's administrators save them:
UTF-8 with or without a byte-order mark, and says so when the file is in another encoding."""

from __future__ import annotations

import errno
import re
import tomllib
from pathlib import Path
from typing import Any

import toml_text


class ConfigError(Exception):
    """A refused configuration: `file[:line]: key: reason` in one line. The key names a block
    of an array of tables by its 1-based number and its code (`services #4 (medical-claim).name_mn`
    is `name_mn` of the fourth `[[services]]`); the reason is Chinese, then English."""

    def __init__(self, file: str, key: str, reason: str, line: int | None = None) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {reason}" if key else f"{where}: {reason}")
        self.file, self.key, self.reason, self.line = file, key, reason, line


class Refused(ValueError):
    """A rule between sections broken: where (a pydantic-style location) and why."""

    def __init__(self, loc: tuple[int | str, ...], reason: str) -> None:
        super().__init__(reason)
        self.loc, self.reason = loc, reason


def block(section: str, index: int, ident: str) -> str:
    """A block of an array of tables as the administrator finds it: `services #4 (tax)`."""
    return f"{section} #{index + 1} ({ident})"


# What pydantic says of a value, Chinese first (`{x}` from the error's context).
_PYDANTIC_REASONS = {
    "missing": "缺少此键 / missing",
    "extra_forbidden": "未知的键 / unknown key",
    "int_type": "应为整数(不加引号),写的是 {input} / expected a whole number (no quotes), "
                "got {input}",
    "float_type": "应为数字(不加引号),写的是 {input} / expected a number (no quotes), got {input}",
    "string_type": "应为加引号的文字,写的是 {input} / expected text in quotes, got {input}",
    "bool_type": "应为 true 或 false(不加引号),写的是 {input} / expected true or false "
                 "(no quotes), got {input}",
    "list_type": "应为列表 [...],写的是 {input} / expected a list [...], got {input}",
    "date_type": "应为日期 YYYY-MM-DD,写的是 {input} / expected a date YYYY-MM-DD, got {input}",
    "date_from_datetime_inexact": "应为日期 YYYY-MM-DD,不带时间 / expected a date "
                                  "YYYY-MM-DD without a time",
    "model_type": "应为表(小节),写的是 {input} / expected a table (a section), got {input}",
    "model_attributes_type": "应为表(小节),写的是 {input} / expected a table (a section), "
                             "got {input}",
    "literal_error": "应为 {expected_zh} / expected {expected}",
    "string_pattern_mismatch": "格式不对,应符合 {pattern} / must match the pattern {pattern}",
    "string_too_short": "不能为空 / must not be empty",
    "string_too_long": "最多 {max_length} 个字符 / at most {max_length} characters",
    "too_short": "至少 {min_length} 项 / at least {min_length} item(s)",
    "too_long": "最多 {max_length} 项 / at most {max_length} items",
    "greater_than_equal": "应不小于 {ge} / must be greater than or equal to {ge}",
    "less_than_equal": "应不大于 {le} / must be less than or equal to {le}",
}


def reason_of(err: Any) -> str:
    """A pydantic error's reason, Chinese first then English."""
    kind = str(err["type"])
    if kind == "value_error":
        said = str(err["msg"]).removeprefix("Value error, ")
        if re.search(r"[\u4e00-\u9fff]", said):  # ours, already Chinese then English
            return said
        return f"取值无效 / {said}"
    template = _PYDANTIC_REASONS.get(kind)
    if template is None:
        return f"取值无效 / {err['msg']}"
    given = err.get("input")
    shown = f'"{given}"' if isinstance(given, str) else repr(given)
    ctx = dict(err.get("ctx") or {})
    ctx["expected_zh"] = str(ctx.get("expected", "")).replace(" or ", " 或 ")
    return template.format(input=shown, **ctx)


def _key(data: object, loc: tuple[int | str, ...]) -> str:
    """`services #4 (medical-claim).name_mn` for pydantic's ('services', 3, 'name_mn'): a
    block of an array of tables by its 1-based number and its code or id."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            ident = (node.get("code", node.get("id")) if isinstance(node, dict) else None)
            out += f" #{part + 1}" + (f" ({ident})" if isinstance(ident, str) and ident else "")
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


_HEADER = re.compile(r"\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?")


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line of the file where `loc` is written, or of the table it belongs in (a missing
    key); None when neither is found (say, an inline table)."""
    lines = text.splitlines()
    heads = []  # (line number, dotted table name, is an array of tables)
    for number, line in enumerate(lines, 1):
        match = _HEADER.fullmatch(line)
        if match:
            name = ".".join(p.strip().strip("\"'") for p in match.group(2).split("."))
            heads.append((number, name, match.group(1) == "[["))
    start, end, path, found = 0, len(lines) + 1, "", None  # scope: start < line < end
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(part, int):
            break
        name = f"{path}.{part}" if path else part
        array = bool(parts) and isinstance(parts[0], int)
        blocks = [n for n, h, arr in heads if start < n < end and h == name and arr == array]
        if array and blocks:
            index = int(parts.pop(0))
            if index >= len(blocks):
                return found
            start = blocks[index]
        elif not array and blocks:
            start = blocks[0]
        else:  # a key of the current table: between its header and the next one
            own_end = next((n for n, _, _ in heads if start < n < end), end)
            key = re.compile(rf"\s*[\"']?{re.escape(part)}[\"']?\s*=")
            return next((n for n in range(start + 1, own_end) if key.match(lines[n - 1])),
                        found)
        end = next((n for n, h, _ in heads if start < n < end
                    and not h.startswith(name + ".")), end)
        path, found = name, start
    return found


def refusal(file: str, text: str, data: object, loc: tuple[int | str, ...], reason: str
            ) -> ConfigError:
    """The refusal of what is at `loc` (a pydantic-style location) of the file's `text`
    (parsed: `data`), with its key and its line."""
    return ConfigError(file, _key(data, loc), reason, _line_of(text, loc))


def not_toml(file: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """A file TOML cannot read, at the line the parser names."""
    at = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    return ConfigError(file, "", f"不是有效的 TOML / not valid TOML: {exc}",
                       int(at.group(1)) if at else None)


NOT_UTF8 = ("文件不是 UTF-8 编码{zh}:请用 UTF-8 另存(记事本:另存为 → 编码 UTF-8) / the file is not "
            "UTF-8{en}: save it as UTF-8")


def decoded(raw: bytes, file: str) -> str:
    """A TOML file's bytes as text. Windows editors save "UTF-8" with a byte-order mark, which
    tomllib refuses ("Invalid statement (at line 1, column 1)"): it is dropped. A file in
    another encoding (GBK, as Chinese Windows saves by default) is refused at the line of the
    first byte UTF-8 cannot read."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        try:
            raw.decode("gbk")
            zh, en = "(像是 GBK)", " (it looks like GBK)"
        except UnicodeDecodeError:
            zh, en = "", ""
        raise ConfigError(file, "", NOT_UTF8.format(zh=zh, en=en), line) from None


_UNREADABLE = {errno.ENOENT: ("文件不存在", "no such file"),
               errno.EISDIR: ("这是文件夹,不是文件", "it is a folder, not a file"),
               errno.EACCES: ("没有读取它的权限", "permission denied")}


def unreadable(file: str, exc: OSError) -> ConfigError:
    """A file that cannot be read at all, said plainly."""
    why = exc.strerror or exc.__class__.__name__
    zh, en = _UNREADABLE.get(exc.errno or 0, ("无法读取", why))
    return ConfigError(file, "", f"{zh} / cannot read: {en}")


def read_toml(path: Path, error: type[Exception]) -> dict[str, Any]:
    """A TOML file as an administrator saves it (UTF-8, with a Windows editor's byte-order
    mark or without; a terminal's configuration), or `error` with one line, Chinese first: no
    such file, not UTF-8 (GBK) with its line, not valid TOML."""
    try:
        return toml_text.loads(decoded(path.read_bytes(), str(path)))
    except OSError as exc:
        raise error(str(unreadable(str(path), exc))) from None
    except ConfigError as exc:
        raise error(str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: 不是有效的 TOML / not valid TOML: {exc}") from None
