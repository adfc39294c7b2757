"""A reception PC needs the thin client only, on whatever system it runs: the client path
imports neither POSIX-only modules nor the server stack, the package's own requirements are the
client's (the server's are the `server` extra), and the demo says how to add that extra."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import requires

import pytest

from desk_tui.client.embedded import EmbeddedServerError, ensure_embedded_server
from desk_tui.processes import pid_alive
from tests.support.stacks import SERVER_STACK


def test_the_client_path_imports_and_runs_without_posix_only_modules(home):
    # As on Windows: no fcntl, no termios. Importing them fails, and so would any use.
    code = ("import os, sys; sys.modules['fcntl'] = None; sys.modules['termios'] = None\n"
            "import desk_tui.cli, desk_tui.client.connect, desk_tui.client.doctor, desk_tui.client.embedded\n"
            "import desk_tui.ui.main, desk_tui.ui.app\n"
            "from desk_tui.processes import pid_alive\n"
            "assert pid_alive(os.getpid())\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SERVER_STACK!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_process_that_ended_is_not_alive_even_before_it_is_collected():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert pid_alive(os.getpid())
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet collected: a zombie
    assert not pid_alive(child.pid)
    child.wait()
    assert not pid_alive(child.pid)


def test_the_package_requires_the_client_only_and_the_server_as_an_extra():
    declared = requires("desk-tui") or []
    plain = {r.split(";")[0].split("[")[0].split(">")[0].split("<")[0].strip().lower() for r in declared
             if "extra ==" not in r}
    server = {r.split(";")[0].split("[")[0].split(">")[0].split("<")[0].strip().lower() for r in declared
              if 'extra == "server"' in r}
    assert plain == {"textual", "httpx", "httpx-sse", "pydantic", "platformdirs", "keyring", "filelock", "psutil",
                     "python-escpos", "fpdf2"}  # receipts print where the till is
    assert {"fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg", "argon2-cffi", "pydantic-settings"} <= server


def test_the_demo_says_how_to_add_the_server_extra_when_it_is_missing(home, monkeypatch):
    monkeypatch.setitem(sys.modules, "fastapi", None)  # as if `pip install desk-tui` alone
    with pytest.raises(EmbeddedServerError) as refused:
        ensure_embedded_server(home, timeout=5)
    assert str(refused.value) == ("the server part of desk-tui is not installed here: add it with pip install "
                                  "'desk-tui[server]', or point desk-tui at a booking server with --server URL")
    assert not list((home.state_dir / "embedded-clients").glob("*"))  # nothing left registered


def test_serve_says_how_to_add_the_server_extra_when_it_is_missing(home):
    code = ("import sys; sys.modules['pydantic_settings'] = None; sys.modules['fastapi'] = None\n"
            "from desk_tui.cli import main; raise SystemExit(main(['serve', '--print-settings']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "pip install 'desk-tui[server]'" in done.stderr
