"""The wheel a reception PC installs: built from this checkout, it carries the styles and the
migrations, asks for the client's requirements only (the server's are the `server` extra), and
once installed on its own its client path starts without the server stack."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from tests.support.stacks import SERVER_STACK

pytestmark = pytest.mark.xdist_group("wheel")  # one worker builds its module fixtures: tests/conftest.py

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """The project a Requires-Dist line names ("textual<9,>=8.2" → "textual")."""
    return re.match(r"[A-Za-z0-9._-]+", requirement).group().lower()  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy, so the checkout gains no build/ or egg-info while other tests run.
    source = tmp_path_factory.mktemp("source")
    for part in ("src", "styles"):
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    # No build isolation and no dependencies: nothing is downloaded, the venv's setuptools builds it.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "--wheel-dir", str(out), str(source)],
                   check=True, capture_output=True, text=True, timeout=300, cwd=out)
    (built,) = out.glob("desk_tui-*.whl")
    return built


def test_the_wheel_carries_styles_and_migrations_and_asks_for_the_client_only(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = Parser().parsestr(z.read(metadata).decode()).get_all("Requires-Dist") or []
    assert {"desk_tui/styles/app.tcss", "desk_tui/styles/login.tcss", "desk_tui/server/migrations/script.py.mako",
            "desk_tui/server/migrations/env.py"} <= names
    assert any(n.startswith("desk_tui/server/migrations/versions/0001_") for n in names)
    plain = {_name(r) for r in requires if "extra ==" not in r}
    server = {_name(r) for r in requires if 'extra == "server"' in r}
    assert plain == {"textual", "httpx", "httpx-sse", "pydantic", "platformdirs", "keyring", "filelock", "psutil",
                     "python-escpos", "fpdf2"}
    assert {"fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg", "argon2-cffi"} <= server


def test_the_installed_client_starts_without_the_server_stack(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    # The installed copy comes first, and the server's packages cannot be imported: a reception PC.
    code = ("import sys\n"
            f"for name in {sorted(SERVER_STACK)!r}: sys.modules[name] = None\n"
            f"sys.path.insert(0, {str(target)!r})\n"
            "import desk_tui, desk_tui.cli, desk_tui.client.connect, desk_tui.ui.app\n"
            f"assert desk_tui.__file__.startswith({str(target)!r}), desk_tui.__file__\n"
            "from desk_tui.ui.stylesheets import STYLES\n"
            "assert (STYLES / 'app.tcss').is_file(), STYLES\n"
            "raise SystemExit(desk_tui.cli.main(['--version']))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "desk-tui" in done.stdout and "0.1.0" in done.stdout
