"""A real PostgreSQL server for the tests, from Debian's ``postgresql`` package.

One server per test session (:func:`start`), in a temporary folder, listening only on a Unix
socket in that folder (no TCP port to pick or collide on); each test gets a schema of its own
(:meth:`Server.fresh_url`), named in the address's ``options``, so the store, the CLI and worker
subprocesses opened with that address all see the same empty database, and no test sees
another's rows. PostgreSQL refuses to run as root, which tests on CI are: then the server runs as
``nobody`` (``runuser``), owning its folder. Durability is turned off (fsync): the tests never
survive a power cut, and it makes each write transaction cheap.

A missing PostgreSQL is an error, never a skip: ``make test`` installs it (SYSTEM_PACKAGES).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

PORT = 5432  # only names the socket file (.s.PGSQL.5432) in the server's own folder
USER = "linkdeck"
DATABASE = "linkdeck"
# A second role that must give its password (the others are trusted on the socket), for the tests
# of a refused sign-in and of a password never shown.
PASSWORD_USER = "linkdeck_pw"
PASSWORD = "pw-7c1e9a52b3d84f60"


class PostgresMissing(RuntimeError):
    pass


def bin_dir() -> Path:
    """The newest Debian PostgreSQL's programs (initdb, pg_ctl, postgres)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresMissing(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the store tests run on "
        "SQLite and PostgreSQL both; `make test` installs Debian's postgresql package"
    )


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Server:
    folder: Path
    bin: Path
    _schemas: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, options: str = "", *, user: str = USER) -> str:
        query = f"host={quote(str(self.socket_dir), safe='')}&port={PORT}"
        if options:
            query += f"&options={quote(options, safe='')}"
        return f"postgresql://{user}@/{DATABASE}?{query}"

    def fresh_url(self) -> str:
        """The address of a new, empty schema (the store's tables are created there on opening)."""
        import psycopg

        schema = f"test_{os.getpid()}_{next(self._schemas)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return self.url(f"-c search_path={schema}")

    def dump(self) -> str:
        """``pg_dump`` of the whole database (every test's schema), as plain SQL text, run as the
        same unprivileged user as the server (the dump an operator would back up)."""
        done = subprocess.run(
            _as_server_user(
                [str(self.bin / "pg_dump"), "-h", str(self.socket_dir), "-p", str(PORT), "-U", USER, DATABASE]
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {done.stderr}")
        return done.stdout

    def stop(self) -> None:
        pg_ctl = [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data")]
        subprocess.run(
            _as_server_user([*pg_ctl, "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server:
    """initdb and start a server in a new temporary folder; its database and user are ``linkdeck``."""
    programs = bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="linkdeck-pg-"))
    (folder / "socket").mkdir()
    if os.geteuid() == 0:
        for path in (folder, folder / "socket"):
            shutil.chown(path, "nobody", "nogroup")
    data = folder / "data"
    run = _as_server_user
    subprocess.run(
        run(
            [
                str(programs / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=180,
    )
    hba = data / "pg_hba.conf"
    hba.write_text(f"local all {PASSWORD_USER} scram-sha-256\n" + hba.read_text())
    settings = (
        f"-c listen_addresses='' -c unix_socket_directories={folder / 'socket'} -p {PORT} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    log = folder / "log"
    started = subprocess.run(
        run([str(programs / "pg_ctl"), "-D", str(data), "-o", settings, "-l", str(log), "-w", "start"]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if started.returncode != 0:
        told = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{told}")
    server = Server(folder, programs)
    _create_database(server)
    return server


def _create_database(server: Server) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            maintenance = server.url().replace(f"/{DATABASE}?", "/postgres?")
            with psycopg.connect(maintenance, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
                conn.execute(f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}'")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
