"""Service files for 24-hour operation: systemd units for the queue server and each terminal
role, udev rules that give ID card readers, ticket printers and rating pads stable names and the
right permissions, and log rotation.

Every unit runs its program under `python -m provisioning.watchdog`, which tells systemd when the
program is ready and keeps feeding the watchdog only while the program is healthy (the server's
`/health` answers; a terminal's process is alive), so `WatchdogSec` restarts a hung process too.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

TERMINAL_ROLES = ("kiosk", "counter", "display", "pad", "bank")
WATCHDOG_SEC = 60
LOG_DIR = "/var/log/kuaiban"
CONF_DIR = "/etc/kuaiban"

# (vendor, product, kind, what): USB ids of devices sold to halls. Serial bridges that every
# vendor uses (CH340 1a86:7523, CP210x 10c4:ea60) are not listed: they would match any gadget.
USB_DEVICES: tuple[tuple[str, str, str, str], ...] = (
    ("0400", "c35a", "idcard", "resident ID card reader (华视/神思 USB-serial)"),
    ("10c4", "8468", "idcard", "resident ID card reader (CP210x OEM)"),
    ("0416", "5011", "printer", "thermal ticket printer (Winbond POS58/80)"),
    ("0483", "5720", "printer", "thermal ticket printer (STM32 OEM)"),
    ("0fe6", "811e", "printer", "thermal ticket printer (Xprinter/ICS)"),
    ("28e9", "0289", "printer", "thermal ticket printer (GD32 OEM)"),
    ("1fc9", "2016", "printer", "thermal ticket printer (NXP OEM)"),
    ("04b8", "0202", "printer", "Epson TM series receipt printer"),
    ("0483", "5740", "pad", "evaluation pad (STM32 USB-CDC)"),
)


@dataclass(frozen=True)
class Layout:
    """Where things live on the target machine."""

    python: str        # the virtual environment's interpreter
    workdir: str       # repository root (the packages are imported from here)
    user: str = "kuaiban"
    db_env: str = f"{CONF_DIR}/server.env"


def local_postgres(db_url: str) -> bool:
    """Whether `db_url` is a PostgreSQL on this machine (localhost, a loopback address or a
    Unix socket), whose service the server's unit should start after."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        return False
    if url.get_backend_name() != "postgresql":
        return False
    query_host = url.query.get("host")
    host = url.host or (query_host if isinstance(query_host, str) else None)
    return not host or host.startswith("/") or host in ("localhost", "127.0.0.1", "::1")


def server_unit(layout: Layout, host: str, port: int, tls: bool, db_url: str = "") -> str:
    # Asked where the server listens: this machine, unless it listens on one address only.
    here = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "localhost": "127.0.0.1", "::": "::1"
            }.get(host, host)
    here = f"[{here}]" if ":" in here else here  # an IPv6 address in a URL
    health = f"{'https' if tls else 'http'}://{here}:{port}/api/v1/health"
    server = [layout.python, "-m", "queue_server", "--db", "${KUAIBAN_DB}",
              "--host", host, "--port", str(port)]
    if tls:
        server += ["--tls-cert", f"{CONF_DIR}/tls/server.pem",
                   "--tls-key", f"{CONF_DIR}/tls/server.key", "--tls-ca", f"{CONF_DIR}/tls/ca.pem"]
    watchdog = [layout.python, "-m", "provisioning.watchdog", "--health", health]
    if tls:
        watchdog += ["--cafile", f"{CONF_DIR}/tls/ca.pem"]
    # A database on this machine must be up first: without it the server answers 503 only.
    database = " postgresql.service" if local_postgres(db_url) else ""
    return _unit(
        description="快办 Kuaiban queue server",
        after="network-online.target" + database, wants="network-online.target" + database,
        wanted_by="multi-user.target", layout=layout,
        exec_start=watchdog + ["--"] + server,
        extra=[f"EnvironmentFile={layout.db_env}",
               f"StandardOutput=append:{LOG_DIR}/server.log",
               f"StandardError=append:{LOG_DIR}/server.log"],
    )


def terminal_unit(layout: Layout, role: str, qt_platform: str) -> str:
    if role not in TERMINAL_ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(TERMINAL_ROLES)}")
    app = [layout.python, "-m", "kiosk", "--role", role, "--config", f"{CONF_DIR}/{role}.toml"]
    return _unit(
        description=f"快办 Kuaiban terminal ({role})",
        after="network-online.target graphical.target", wanted_by="graphical.target",
        layout=layout,
        exec_start=[layout.python, "-m", "provisioning.watchdog", "--"] + app,
        extra=[f"Environment=QT_QPA_PLATFORM={qt_platform}",
               # serial readers and printers, the screen, sound, USB printers, the touchscreen
               "SupplementaryGroups=dialout video audio lp input",
               f"StandardOutput=append:{LOG_DIR}/{role}.log",
               f"StandardError=append:{LOG_DIR}/{role}.log"],
    )


def _unit(*, description: str, after: str, wanted_by: str, layout: Layout,
          exec_start: list[str], extra: list[str], wants: str = "network-online.target"
          ) -> str:
    lines = [
        "[Unit]",
        f"Description={description}",
        "Documentation=file://" + layout.workdir + "/docs/admin.md",
        f"After={after}",
        f"Wants={wants}",
        # Keep retrying for ever: a hall's 24-hour room must come back by itself.
        "StartLimitIntervalSec=0",
        "",
        "[Service]",
        "Type=notify",
        "NotifyAccess=main",
        f"User={layout.user}",
        f"WorkingDirectory={layout.workdir}",
        "ExecStart=" + " ".join(_quote(a) for a in exec_start),
        "Restart=on-failure",
        "RestartSec=3",
        f"WatchdogSec={WATCHDOG_SEC}",
        "TimeoutStopSec=20",
        "KillMode=mixed",
        *extra,
        "",
        "[Install]",
        f"WantedBy={wanted_by}",
        "",
    ]
    return "\n".join(lines)


def _quote(arg: str) -> str:
    # systemd expands ${VAR} itself; everything else is quoted shell-style.
    return arg if arg.startswith("${") else shlex.quote(arg)


def udev_rules(group: str = "kuaiban") -> str:
    lines = ["# 快办 Kuaiban: stable names and access for hall devices.",
             "# /dev/kuaiban/<kind>-<vendor><product> links point at serial devices;",
             "# USB printers driven through libusb get group access to the USB device itself.",
             ""]
    for vendor, product, kind, what in USB_DEVICES:
        lines.append(f"# {what}")
        lines.append(f'SUBSYSTEM=="tty", ATTRS{{idVendor}}=="{vendor}", '
                     f'ATTRS{{idProduct}}=="{product}", GROUP="{group}", MODE="0660", '
                     f'SYMLINK+="kuaiban/{kind}-{vendor}{product}"')
        lines.append(f'SUBSYSTEM=="usb", ATTR{{idVendor}}=="{vendor}", '
                     f'ATTR{{idProduct}}=="{product}", GROUP="{group}", MODE="0660"')
    lines.append("# USB printer class (usblp): /dev/usb/lp0 also as /dev/kuaiban/printer")
    lines.append(f'SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", GROUP="{group}", MODE="0660", '
                 'SYMLINK+="kuaiban/printer"')
    return "\n".join(lines) + "\n"


def logrotate_conf(user: str = "kuaiban") -> str:
    """Thirty days of logs: `maxage 30` drops older rotations. `maxsize` rotates a log that
    passes 100 MB within a day once more, so `rotate` (a count of files, not of days) allows
    three rotations a day on average before it would cut the thirty days short."""
    # copytruncate: systemd holds the file open (StandardOutput=append:), so it cannot be moved.
    return (f"{LOG_DIR}/*.log {{\n"
            "    daily\n    maxage 30\n    rotate 90\n    maxsize 100M\n    compress\n"
            "    delaycompress\n"
            "    missingok\n    notifempty\n    copytruncate\n"
            f"    su {user} {user}\n"
            "}\n")


DATA_DIR = "/var/lib/kuaiban"


def sysusers_conf(user: str = "kuaiban") -> str:
    """The account the services run as, made by `systemd-sysusers` (nothing else makes it)."""
    return ("# The account Kuaiban's services run as: systemd-sysusers makes it.\n"
            f"u {user} - \"Kuaiban hall services\" {DATA_DIR}\n")


def tmpfiles_conf(user: str = "kuaiban") -> str:
    """Who may read and write what the other steps made as root (`systemd-tmpfiles --create`):
    the database folder and the logs are the services'; the terminal files (their tokens) and
    the server's TLS key are readable by their group, the CA's key by root alone."""
    return ("# Kuaiban: the services' folders, and read access to the files `provisioning` wrote as root.\n"
            f"d {DATA_DIR} 0750 {user} {user} -\n"
            f"Z {DATA_DIR} - {user} {user} -\n"
            f"d {LOG_DIR} 0750 {user} {user} -\n"
            f"z {CONF_DIR} 0750 root {user} -\n"
            f"z {CONF_DIR}/*.toml 0640 root {user} -\n"
            f"z {CONF_DIR}/tls 0750 root {user} -\n"
            f"z {CONF_DIR}/tls/server.key 0640 root {user} -\n")


def closed_folders(paths: list[str], uid: int | None) -> list[str]:
    """The folders on the way to `paths` that an account (`uid`; None: not made yet) cannot
    enter: neither searchable by everyone nor its own. A unit whose interpreter or working
    directory lies behind one (a checkout under /root) fails to start."""
    closed: list[str] = []
    for path in paths:
        for folder in [*reversed(Path(path).parents), Path(path)]:
            try:
                st = folder.stat()
            except OSError:
                continue
            if not folder.is_dir() or st.st_mode & 0o001 or (uid is not None and st.st_uid == uid
                                                             and st.st_mode & 0o100):
                continue
            if str(folder) not in closed:
                closed.append(str(folder))
    return closed


def server_env(db_url: str) -> str:
    return ("# The queue server's database; kept out of the unit because a URL may hold a password.\n"
            f"KUAIBAN_DB={db_url}\n")


def write_all(root: Path, layout: Layout, *, db_url: str, host: str, port: int, tls: bool,
              roles: list[str], qt_platform: str, server: bool = True) -> list[Path]:
    """Write every file under `root` (`/` on a real machine); return the paths written."""
    files: dict[str, tuple[str, int]] = {
        "etc/udev/rules.d/70-kuaiban.rules": (udev_rules(layout.user), 0o644),
        "etc/logrotate.d/kuaiban": (logrotate_conf(layout.user), 0o644),
        "etc/sysusers.d/kuaiban.conf": (sysusers_conf(layout.user), 0o644),
        "etc/tmpfiles.d/kuaiban.conf": (tmpfiles_conf(layout.user), 0o644),
    }
    if server:
        files["etc/systemd/system/kuaiban-server.service"] = (
            server_unit(layout, host, port, tls, db_url), 0o644)
        files[f"{CONF_DIR.lstrip('/')}/server.env"] = (server_env(db_url), 0o600)
    for role in roles:
        files[f"etc/systemd/system/kuaiban-{role}.service"] = (
            terminal_unit(layout, role, qt_platform), 0o644)
    written = []
    for rel, (text, mode) in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(mode)
        written.append(path)
    (root / LOG_DIR.lstrip("/")).mkdir(parents=True, exist_ok=True)
    return written
