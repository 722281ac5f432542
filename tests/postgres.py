"""A throwaway PostgreSQL cluster for the suite's `--postgresql` run: started in a temporary folder,
listening on 127.0.0.1 only, removed when the run ends. The tests share one database, emptied after each
(about 10 ms, where copying a database takes 0.2-0.4 s); a test that needs no schema at all gets a new one."""

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from glob import glob
from pathlib import Path

USER = "onecode"


def _bin_dir() -> Path:
    """PostgreSQL's server programs: on PATH, or where Debian's postgresql package puts them."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise RuntimeError("PostgreSQL's server is not installed (Debian: apt-get install postgresql)")
    return Path(versions[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A throwaway cluster for tests: nothing to keep through a crash, so no waiting for the disk.
FOR_TESTS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"


class Cluster:
    """initdb + pg_ctl in a temporary folder, started with `options` (server settings, `-c name=value`).
    As root the server runs as the `postgres` system user (PostgreSQL refuses to run as root)."""

    def __init__(self, options: str = FOR_TESTS):
        self.bin = _bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="onecode-pg-"))
        self.port = _free_port()
        self.names = (f"test_{n}" for n in itertools.count(1))
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.folder, "postgres")
        data = self.folder / "data"
        self._run("initdb", "-D", data, "-U", USER, "-A", "trust", "-E", "UTF8", "--locale", "C.UTF-8")
        self._run(
            "pg_ctl",
            "-D",
            data,
            "-l",
            self.folder / "log",
            "-w",
            "start",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.folder} {options}",
        )
        self.data = data
        self._connections = {}

    def _run(self, program, *args):
        done = subprocess.run([*self._as, self.bin / program, *map(str, args)], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def _connection(self, database: str):
        """A kept autocommit connection to `database` as the cluster's superuser."""
        import psycopg

        if database not in self._connections:
            self._connections[database] = psycopg.connect(
                host="127.0.0.1", port=self.port, user=USER, dbname=database, autocommit=True
            )
        return self._connections[database]

    def sql(self, statement: str) -> None:
        """A statement on the `postgres` database (CREATE DATABASE needs one outside the new database)."""
        self._connection("postgres").execute(statement)

    def create_database(self) -> str:
        name = next(self.names)
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return name

    def empty(self, database: str) -> None:
        """Every table of `database` emptied and its sequences started again, as if just created."""
        connection = self._connection(database)
        tables = [row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        sequences = [row[0] for row in connection.execute("SELECT sequencename FROM pg_sequences")]
        with connection.transaction():
            connection.execute("SET LOCAL lock_timeout = '10s'")  # a test left a transaction open: fail, not hang
            connection.execute("SET LOCAL session_replication_role = replica")  # no foreign-key checks
            for table in tables:
                connection.execute(f'DELETE FROM "{table}"')
            if sequences:
                connection.execute("SELECT " + ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences))

    def drop_database(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            for connection in self._connections.values():
                connection.close()
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
