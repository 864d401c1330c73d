"""`provisioning tls`: make the hall CA and the server certificate; print the CA fingerprint."""

from __future__ import annotations

import argparse
import json
import re
import socket
import sys
from pathlib import Path

from provisioning import tls
from provisioning.errors import UsageError

NAME = "tls"
HELP = "make a hall CA and a server certificate (terminals pin the CA fingerprint)"

_HOST = re.compile(r"^[A-Za-z0-9*]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^[0-9a-fA-F:.]+$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="folder for ca.pem, ca.key, server.pem, server.key")
    parser.add_argument("--hall", default="hall", help="hall id, written into the CA's name")
    parser.add_argument("--hall-name", default="", help="hall name, written into the CA's name")
    parser.add_argument("--host", action="append", default=[], metavar="NAME_OR_IP",
                        help="a name or address terminals use to reach the server (repeatable; "
                             "localhost and 127.0.0.1 are always added); default: this "
                             "machine's name, NAME.local, localhost, 127.0.0.1")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    # The machine itself always: the service's watchdog asks https://127.0.0.1/.../health
    # with the hall CA (provisioning install-services --tls), as tools on the server do.
    hosts = list(dict.fromkeys([*args.host, "localhost", "127.0.0.1"])) if args.host \
        else _default_hosts()
    bad = [h for h in hosts if not _HOST.match(h)]
    if bad:
        raise UsageError(f"--host {bad[0]!r}: 不是主机名或 IP 地址 / not a host name or IP "
                         "address")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: 已存在且不是文件夹 / exists and is not a folder")
    before = tls.hosts_of(args.out / "server.pem")  # a renewal names every host again
    made_for = tls.ca_hall(args.out / "ca.pem")
    try:
        files = tls.issue(args.out, args.hall, args.hall_name, hosts)
    except (OSError, ValueError) as exc:
        raise UsageError(f"--out {args.out}: {exc}") from None
    dropped = [h for h in before if h not in hosts]
    if dropped:
        print(f"警告 / warning: 新的服务器证书不再包含 {', '.join(dropped)}:用这些名字或地址连服务器的"
              f"终端会被拒绝;要保留请再运行一次并写上全部 --host / the new server certificate no "
              f"longer holds {', '.join(dropped)}: terminals that reach the server by them will "
              f"be refused; to keep them, run again with every --host", file=sys.stderr)
    if made_for is not None and made_for != args.hall:
        print(f"警告 / warning: {args.out} 里的根证书是为大厅 {made_for} 建的,沿用它(指纹不变),"
              f"--hall {args.hall} 只用于新建根证书 / the CA in {args.out} was made for hall "
              f"{made_for} and is kept (its fingerprint too): --hall {args.hall} names only a new "
              "CA", file=sys.stderr)
    result = {"ca": str(files.ca_cert), "cert": str(files.cert), "key": str(files.key),
              "fingerprint": files.fingerprint, "hosts": hosts}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"大厅根证书 / hall CA: {files.ca_cert}")
        print(f"服务器证书 / server certificate: {files.cert}  私钥 / key: {files.key}")
        print(f"主机名和地址 / hosts: {', '.join(hosts)}")
        print(f"根证书 sha256 指纹(终端固定此指纹) / CA sha256 fingerprint (terminals pin it): "
              f"{files.fingerprint}")
        print(f"启动服务器 / run: python -m queue_server --tls-cert {files.cert} "
              f"--tls-key {files.key} --tls-ca {files.ca_cert} ...")
    return 0


def _default_hosts() -> list[str]:
    name = socket.gethostname() or "localhost"
    hosts = [name, f"{name.split('.')[0]}.local", "localhost", "127.0.0.1"]
    return list(dict.fromkeys(hosts))
