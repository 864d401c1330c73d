"""`provisioning install-services --root DIR`: the units systemd accepts, udev rules, logrotate."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from provisioning.__main__ import main

ROLES = ["kiosk", "counter", "display", "pad", "bank"]


@pytest.fixture()
def root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["install-services", "--root", str(tmp_path), "--roles", ",".join(ROLES),
                 "--db", "sqlite:////var/lib/kuaiban/hall.db", "--user", "root", "--tls"]) == 0
    capsys.readouterr()
    return tmp_path


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def test_every_unit_restarts_is_watched_and_waits_for_the_network(root: Path) -> None:
    units = root / "etc/systemd/system"
    names = sorted(p.name for p in units.glob("*.service"))
    assert names == sorted(["kuaiban-server.service"] + [f"kuaiban-{r}.service" for r in ROLES])
    for name in names:
        unit = _unit(units / name)
        assert "network-online.target" in unit["Unit"]["After"]
        assert unit["Service"]["Restart"] == "on-failure"
        assert int(unit["Service"]["WatchdogSec"]) > 0
        assert unit["Service"]["Type"] == "notify"
        assert "-m provisioning.watchdog" in unit["Service"]["ExecStart"]
    server = _unit(units / "kuaiban-server.service")["Service"]
    assert "--tls-cert /etc/kuaiban/tls/server.pem" in server["ExecStart"]
    assert "--health https://127.0.0.1:8750/api/v1/health" in server["ExecStart"]
    kiosk = _unit(units / "kuaiban-kiosk.service")["Service"]["ExecStart"]
    assert "-m kiosk --role kiosk --config /etc/kuaiban/kiosk.toml" in kiosk
    env = root / "etc/kuaiban/server.env"
    assert env.read_text().splitlines()[-1] == "KUAIBAN_DB=sqlite:////var/lib/kuaiban/hall.db"
    assert env.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_accepts_the_units(root: Path) -> None:
    units = sorted((root / "etc/systemd/system").glob("*.service"))
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units)],
                          capture_output=True, text=True, timeout=60)
    ours = [line for line in proc.stderr.splitlines() if "kuaiban" in line]
    assert proc.returncode == 0 and not ours, proc.stderr


def test_systemd_analyze_would_catch_a_broken_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed")
    bad = tmp_path / "kuaiban-bad.service"
    bad.write_text("[Service]\nExecStart=/nonexistent/python\nRestart=sometimes\n")
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 or "kuaiban-bad" in proc.stderr


_RULE = re.compile(r'^(?:[A-Z]+(?:\{\w+\})?(?:==|!=|\+=|=|:=)"[^"]*"(?:, |$))+$')


def test_udev_rules_name_id_readers_and_printers(root: Path) -> None:
    rules = (root / "etc/udev/rules.d/70-kuaiban.rules").read_text()
    lines = [ln for ln in rules.splitlines() if ln and not ln.startswith("#")]
    assert all(_RULE.match(ln) for ln in lines), [ln for ln in lines if not _RULE.match(ln)]
    assert 'ATTRS{idVendor}=="0400", ATTRS{idProduct}=="c35a"' in rules
    assert 'ATTR{idVendor}=="0416", ATTR{idProduct}=="5011"' in rules
    assert 'SYMLINK+="kuaiban/idcard-0400c35a"' in rules


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="logrotate not installed")
def test_logrotate_accepts_the_config(root: Path, tmp_path: Path) -> None:
    conf = root / "etc/logrotate.d/kuaiban"
    proc = subprocess.run(["logrotate", "-d", "-s", str(tmp_path / "state"), str(conf)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "error" not in (proc.stdout + proc.stderr).lower()


def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    for argv, word in ((["--roles", "kiosk,toaster"], "toaster"), (["--user", "Bad User"], "--user"),
                       (["--db", "hall.db"], "--db"), (["--port", "70000"], "--port"),
                       (["--db", "sqlite:///var/lib/kuaiban/hall.db"], "sqlite:////var/lib"),
                       (["--db", "sqlite://var/lib/kuaiban/hall.db"], "sqlite:////var/lib"),
                       (["--db", "mysql://u@h/db"], "--db")):
        assert main(["install-services", "--root", str(tmp_path), *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and word in err
    assert not (tmp_path / "etc").exists()  # nothing written on bad input


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None
                    or shutil.which("systemd-tmpfiles") is None,
                    reason="systemd-sysusers or systemd-tmpfiles not installed")
def test_the_services_account_is_made_and_can_read_what_root_wrote(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]
                                                                    ) -> None:
    """The units run as `kuaiban`: the sysusers.d file makes that account, and the tmpfiles.d
    file gives it the database folder and read access to the terminal files (their tokens)
    and the server's TLS key that `provisioning` wrote as root with mode 0600; the CA's key
    stays root's. Applied here under --root, as systemd does at boot."""
    root = tmp_path
    assert main(["install-services", "--root", str(root), "--roles", "kiosk", "--tls"]) == 0
    capsys.readouterr()
    (root / "etc/passwd").touch()
    (root / "etc/group").touch()
    tls = root / "etc/kuaiban/tls"
    tls.mkdir(parents=True)
    for secret in (tls / "server.key", tls / "ca.key", root / "etc/kuaiban/kiosk.toml"):
        secret.write_text("secret")
        secret.chmod(0o600)
    subprocess.run(["systemd-sysusers", f"--root={root}",
                    str(root / "etc/sysusers.d/kuaiban.conf")], check=True, capture_output=True)
    subprocess.run(["systemd-tmpfiles", f"--root={root}", "--create",
                    str(root / "etc/tmpfiles.d/kuaiban.conf")], check=True, capture_output=True)
    users = {line.split(":")[0]: line.split(":") for line in
             (root / "etc/passwd").read_text().splitlines()}
    uid, gid = int(users["kuaiban"][2]), int(users["kuaiban"][3])
    data = (root / "var/lib/kuaiban").stat()
    assert (data.st_uid, data.st_gid, data.st_mode & 0o777) == (uid, gid, 0o750)
    for readable in (tls / "server.key", root / "etc/kuaiban/kiosk.toml"):
        st = readable.stat()
        assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (0, gid, 0o640), readable
    assert (tls / "ca.key").stat().st_mode & 0o777 == 0o600  # the CA's key: root's alone
    kiosk = _unit(root / "etc/systemd/system/kuaiban-kiosk.service")["Service"]
    assert kiosk["User"] == "kuaiban" and "input" in kiosk["SupplementaryGroups"].split()


def test_the_watchdog_asks_where_the_server_listens(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    for host, health in (("0.0.0.0", "https://127.0.0.1:8750/"),
                         ("192.168.1.10", "https://192.168.1.10:8750/"), ("::", "https://[::1]:8750/")):
        assert main(["install-services", "--root", str(tmp_path / host), "--host", host,
                     "--tls"]) == 0
        server = _unit(tmp_path / host / "etc/systemd/system/kuaiban-server.service")
        said = server["Service"]["ExecStart"].replace("'", "")  # [::1] is quoted for systemd
        assert f"--health {health}api/v1/health" in said, host
    capsys.readouterr()


@pytest.mark.parametrize(("db", "after_postgres"), [
    ("postgresql+psycopg://kuaiban@127.0.0.1:5432/kuaiban", True),
    ("postgresql+psycopg://kuaiban@localhost/kuaiban", True),
    ("postgresql+psycopg://kuaiban@/kuaiban?host=/run/postgresql", True),
    ("postgresql+psycopg://kuaiban@db.hall.lan/kuaiban", False),
    ("sqlite:////var/lib/kuaiban/hall.db", False),
])
def test_the_server_starts_after_a_postgresql_on_this_machine(
        db: str, after_postgres: bool, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install-services", "--root", str(tmp_path), "--db", db, "--user", "root"]) == 0
    capsys.readouterr()
    unit = _unit(tmp_path / "etc/systemd/system/kuaiban-server.service")["Unit"]
    for key in ("After", "Wants"):
        assert "network-online.target" in unit[key].split()
        assert ("postgresql.service" in unit[key].split()) is after_postgres, unit[key]


def test_logs_are_kept_thirty_days_not_thirty_files(root: Path) -> None:
    conf = (root / "etc/logrotate.d/kuaiban").read_text().split()
    assert conf[conf.index("maxage") + 1] == "30" and "daily" in conf
    assert int(conf[conf.index("rotate") + 1]) > 30  # maxsize may rotate more than daily


def test_a_folder_the_account_cannot_enter_is_named(tmp_path: Path) -> None:
    from provisioning.systemd import closed_folders

    home = tmp_path / "home"
    venv = home / "kuaiban" / ".venv" / "bin"
    venv.mkdir(parents=True)
    home.chmod(0o700)
    ours = str(home)  # (pytest's own folders are closed too)
    try:
        closed = closed_folders([str(venv / "python"), str(home / "kuaiban")], None)
        assert [f for f in closed if f.startswith(ours)] == [str(home)]
        home.chmod(0o711)
        assert not [f for f in closed_folders([str(venv / "python")], None) if f.startswith(ours)]
    finally:
        home.chmod(0o755)
