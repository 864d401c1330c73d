"""`provisioning install-services`: write the systemd units, udev rules and log rotation of a hall
machine (with `--root DIR` into a folder instead of `/`, for a dry run or an image build)."""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import subprocess
import sys
from pathlib import Path

from provisioning import systemd
from provisioning.errors import UsageError

NAME = "install-services"
HELP = "write systemd units (server, terminal roles), udev rules and logrotate config"

_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("/"),
                        help="write under this folder instead of / (dry run)")
    parser.add_argument("--db", default="sqlite:////var/lib/kuaiban/hall.db",
                        help="database URL of the server (kept in /etc/kuaiban/server.env)")
    parser.add_argument("--host", default="0.0.0.0", help="address the server listens on")
    parser.add_argument("--port", type=int, default=8750)
    parser.add_argument("--tls", action="store_true",
                        help="serve HTTPS with /etc/kuaiban/tls/server.pem (see `provisioning tls`)")
    parser.add_argument("--roles", default="",
                        help="terminal roles on this machine, comma separated "
                             f"({', '.join(systemd.TERMINAL_ROLES)}); empty = server only")
    parser.add_argument("--no-server", action="store_true", help="a terminal-only machine")
    parser.add_argument("--user", default="kuaiban", help="the account the services run as")
    parser.add_argument("--qt-platform", default="eglfs",
                        help="Qt platform of terminals (eglfs full screen without a desktop, "
                             "wayland, xcb)")


def run(args: argparse.Namespace) -> int:
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    unknown = [r for r in roles if r not in systemd.TERMINAL_ROLES]
    if unknown:
        expected = ", ".join(systemd.TERMINAL_ROLES)
        raise UsageError(f"--roles: 没有角色 {unknown[0]!r},可选 {expected} / unknown role "
                         f"{unknown[0]!r}; expected {expected}")
    if not _USER.match(args.user):
        raise UsageError(f"--user {args.user!r}: 不是有效的账户名(小写字母、数字、_ 和 -) / not a "
                         "valid account name (lower-case letters, digits, _ and -)")
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: 端口应在 1 到 65535 之间 / expected 1..65535")
    if "://" not in args.db:
        raise UsageError(f"--db {args.db!r}: 应为数据库地址,如 sqlite:////var/lib/kuaiban/hall.db / "
                         "expected a URL such as sqlite:////var/lib/kuaiban/hall.db")
    from provisioning.db import new_file_refusal, url_refusal

    refused = url_refusal(args.db) or new_file_refusal(args.db, service=True)
    if refused is not None:  # the unit would start on it and fail, or make a database elsewhere
        raise refused
    workdir = Path(__file__).resolve().parents[2]
    layout = systemd.Layout(python=sys.executable, workdir=str(workdir), user=args.user)
    try:
        written = systemd.write_all(args.root, layout, db_url=args.db, host=args.host,
                                    port=args.port, tls=args.tls, roles=roles,
                                    qt_platform=args.qt_platform, server=not args.no_server)
    except OSError as exc:
        raise UsageError(f"--root {args.root}: {exc}") from None
    for path in written:
        print(path)
    _warn_closed(layout, args.user)
    if args.root == Path("/") and os.geteuid() == 0:
        _make_account(args.user)
        print("下一步 / next: systemctl daemon-reload && udevadm control --reload && "
              "systemctl enable --now kuaiban-server.service", file=sys.stderr)
    return 0


def _warn_closed(layout: systemd.Layout, user: str) -> None:
    """The units name this checkout and its venv: the account must be able to reach them."""
    if user == "root":
        return
    try:
        uid: int | None = pwd.getpwnam(user).pw_uid
    except KeyError:
        uid = None  # made later by systemd-sysusers: only what everyone may enter counts
    checkout = systemd.closed_folders([layout.python, layout.workdir], uid)
    for folder in checkout:
        print(f"警告 / warning: 账户 {user} 进不了 {folder},服务将无法启动:把仓库和 .venv 放到 "
              f"/opt 等处,或 chmod o+x {folder} / the account {user} cannot enter {folder}, so "
              f"the services would not start: keep the repository and its .venv where it can "
              f"(/opt/kuaiban), or chmod o+x {folder}", file=sys.stderr)
    real = str(Path(layout.python).resolve())
    for folder in systemd.closed_folders([real], uid):
        if folder in checkout:
            continue
        # .venv/bin/python links to an interpreter behind it (a pyenv under /root): moving the
        # checkout would not help
        print(f"警告 / warning: .venv 的 Python 指向 {real},账户 {user} 进不了 {folder},服务将无法"
              f"启动:用账户能进入的 Python(如 /usr/bin/python3)重建 .venv,或 chmod o+x {folder} / "
              f".venv's Python is {real}, behind {folder}, which the account {user} cannot "
              f"enter, so the services would not start: rebuild .venv with a Python it can reach "
              f"(e.g. /usr/bin/python3), or chmod o+x {folder}", file=sys.stderr)


def _make_account(user: str) -> None:
    """On the machine itself: the services' account and the access of its files now (also
    at every boot, from the sysusers.d and tmpfiles.d files just written)."""
    steps = [["systemd-sysusers", "/etc/sysusers.d/kuaiban.conf"],
             ["systemd-tmpfiles", "--create", "/etc/tmpfiles.d/kuaiban.conf"]]
    for step in steps if user != "root" else steps[1:]:
        if shutil.which(step[0]) is None:
            print(f"警告 / warning: 找不到 {step[0]}:请在有它的机器上运行 `{' '.join(step)}`,或自己"
                  f"建账户 {user} 并把 {systemd.DATA_DIR} 交给它 / {step[0]} not found: run "
                  f"`{' '.join(step)}` where it is, or make the account {user} and give it "
                  f"{systemd.DATA_DIR} yourself", file=sys.stderr)
            continue
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            said = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
            print(f"警告 / warning: {' '.join(step)} 失败 / failed: {said}", file=sys.stderr)
