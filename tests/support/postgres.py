"""A throwaway PostgreSQL 15 cluster for the test session (see docs/testing.md).

PostgreSQL refuses to run as root, so as root the cluster runs as the ``postgres`` user.
``TEST_DATABASE_URL`` (a server URL with a database we may CREATE DATABASE from) skips the
start-up and reuses an existing server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

from tests.support.ports import free_port

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))


class PostgresCluster:
    def __init__(self, options: str = "") -> None:
        """``options``: more ``-c name=value`` settings for a cluster of our own (the bench's)."""
        self.options = options
        self.dir: Path | None = None
        self.admin_url = os.environ.get("TEST_DATABASE_URL", "")
        self._owned = not self.admin_url

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> PostgresCluster:
        if not self._owned:
            return self
        if not (PGBIN / "initdb").exists():
            raise RuntimeError(
                f"PostgreSQL 15 is not installed ({PGBIN}/initdb missing): "
                "apt-get install -y --no-install-recommends postgresql-15, or set TEST_DATABASE_URL"
            )
        self.dir = Path(tempfile.mkdtemp(prefix="desk-pg.", dir="/tmp"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        port = free_port()
        data = self.dir / "data"
        self._run(PGBIN / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-N")
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {self.dir} -c fsync=off -c synchronous_commit=off " \
               f"-c full_page_writes=off -c max_connections=200 {self.options}"
        self._run(PGBIN / "pg_ctl", "-D", data, "-l", self.dir / "log", "-w", "-o", opts, "start")
        self.admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        return self

    def create_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        name = f"desk_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base, _, _ = self.admin_url.rpartition("/")
        return base.replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name

    def stop(self) -> None:
        if self._owned and self.dir is not None:
            try:
                self._run(PGBIN / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "-w", "stop")
            finally:
                shutil.rmtree(self.dir, ignore_errors=True)
