"""What a database's refusal means, in words an administrator acts on, Chinese first: shared
by the server's start (queue_server.start_checks) and the administrator's commands
(provisioning.db_failures), which add what only they say."""

from __future__ import annotations

import getpass
import re

from sqlalchemy.engine import make_url

NOT_SQLITE = ("不是 SQLite 数据库文件(--db 指错了文件吗?) / not an SQLite database file (does "
              "--db name the right file?)")
DAMAGED = ("数据库文件已损坏;请用 provisioning restore 从备份恢复 / the database file is damaged: "
           "restore a backup with `provisioning restore`")

# PostgreSQL's or libpq's words for a connection or a schema it will not give, and what they
# mean; {0} is the words' group. Nothing here passes by itself: the URL or the server must change.
PG_REFUSALS: tuple[tuple[str, str], ...] = (
    (r'database "(.+?)" does not exist',
     "没有数据库 {0}(PostgreSQL 服务器 {server});请先建库,如 createdb -O {user} {0} / there "
     "is no database {0} on the PostgreSQL server {server}: create it first, e.g. createdb -O "
     "{user} {0}"),
    (r'role "(.+?)" does not exist',
     "没有用户 {0}(PostgreSQL 服务器 {server});请先建用户,如 createuser {0} / there is no "
     "user (role) {0} on the PostgreSQL server {server}: create it first, e.g. createuser {0}"),
    (r"(password authentication failed|no password supplied)",
     "用户 {user} 的密码被 PostgreSQL 拒绝;请检查地址中的密码或 ~/.pgpass / PostgreSQL refused "
     "the password of user {user}: check the password in the URL or ~/.pgpass"),
    (r"(no pg_hba\.conf entry)",
     "服务器的 pg_hba.conf 不允许这台机器以用户 {user} 连接 PostgreSQL / PostgreSQL's "
     "pg_hba.conf does not let this machine connect as user {user}"),
    (r"(failed to resolve host|could not translate host name)",
     "找不到主机 {host};请检查地址中的主机名 / no such host {host}: check the host in the URL"),
    (r"(Connection refused|No such file or directory)",
     "连接不上 PostgreSQL 服务器 {server};它启动了吗?主机和端口对吗? / cannot reach the "
     "PostgreSQL server at {server}: is it running, are the host and the port right?"),
    (r"(timeout expired|timed out)",
     "连接 PostgreSQL 服务器 {server} 超时;主机对吗?有防火墙挡着吗? / connecting to the "
     "PostgreSQL server at {server} timed out: is the host right, is a firewall in the way?"),
    # PostgreSQL 15 lets only the database's owner create tables in its schema public
    (r"(permission denied for (?:schema|database) [^\s:]+)",
     "数据库服务器 PostgreSQL 不允许用户 {user} 这样做({0});请让 {user} 成为数据库 {db} 的所有者,如 "
     "ALTER DATABASE {db} OWNER TO {user},或建库时用 createdb -O {user} / PostgreSQL does not let "
     "user {user} do this ({0}): make {user} the owner of database {db}, e.g. ALTER DATABASE "
     "{db} OWNER TO {user}, or create it with createdb -O {user}"),
)


def newer_schema(found: str, head: str) -> str:
    """The words for a database made by a newer Kuaiban (schema `found`; this one knows up to
    `head`): the server's start and the administrator's commands say the same."""
    return (f"数据库是更新版本的快办建立的(结构版本 {found},本程序只认识到 {head});请用新版本的快办"
            f"运行此命令 / the database was made by a newer Kuaiban (schema {found}; this "
            f"one knows up to {head}): run the command of the newer version")


def pg_said(url: str, words: str,
            table: tuple[tuple[str, str], ...] = PG_REFUSALS) -> str | None:
    """The reason in `table` whose pattern PostgreSQL's `words` match, with the server, host,
    user and database of `url` filled in (libpq's defaults where the URL gives none)."""
    parsed = make_url(url)
    host = parsed.host or "localhost"
    user = parsed.username or getpass.getuser()  # libpq's default user (and database)
    for pattern, reason in table:
        match = re.search(pattern, words)
        if match:
            return reason.format(match.group(1), server=f"{host}:{parsed.port or 5432}",
                                 host=host, user=user, db=parsed.database or user)
    return None
