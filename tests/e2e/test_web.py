"""`desk-tui web`: the desk in a browser. The real command runs as a child process on a free
loopback port, on the embedded demo salon (no --server, as `desk-tui` alone would); the test is
the browser: it fetches the page, opens the websocket the page names, speaks textual-serve's
protocol on it, and reads the app's output until the sign-in screen is there with the demo
salon's locations — which only a desk that reached the demo server can show.

Each tab is its own desk-tui process with a private home (``desk-tui-browser-*`` under TMPDIR,
pointed at the test's folder): it is there while the tab is open and gone once the tab closes
or `web` stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from desk_tui.browser_session import PREFIX
from desk_tui.cli import main
from desk_tui.client.embedded import STATE_FILE
from desk_tui.server.admin_staff import list_staff
from tests.client.polling import wait_for_exit
from tests.support.ports import free_port

DESK_TUI = Path(os.path.abspath(sys.executable)).parent / "desk-tui"


@dataclass
class Web:
    proc: subprocess.Popen[bytes]
    port: int
    home: Path
    tmp: Path
    output: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tab_homes(self) -> list[Path]:
        return sorted(self.tmp.glob(f"{PREFIX}*"))

    def said(self) -> str:
        return self.output.read_text(errors="replace")[-3000:]


def _until(condition, what: str, web: Web, timeout: float = 60.0) -> None:
    """Poll to a deadline; between looks wait on the web process, which returns at once if it ends."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; desk-tui web said:\n{web.said()}")
        with contextlib.suppress(subprocess.TimeoutExpired):
            web.proc.wait(0.05)


@pytest.fixture
def web(tmp_path) -> Iterator[Web]:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    tmp.mkdir()
    port = free_port()
    env = {**os.environ, "DESK_HOME": str(home), "TMPDIR": str(tmp),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    env.pop("DESK_SERVER", None)
    output = tmp_path / "web.out"
    with open(output, "wb") as out:
        proc = subprocess.Popen([str(DESK_TUI), "web", "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    served = Web(proc, port, home, tmp, output)
    try:
        yield served
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)


async def _page(web: Web, session: aiohttp.ClientSession) -> str:
    deadline = time.monotonic() + 90  # `web` starts the demo salon first (seeded on first start)
    while True:
        assert web.proc.poll() is None, f"desk-tui web ended with {web.proc.returncode}:\n{web.said()}"
        try:
            async with session.get(web.url + "/") as response:
                assert response.status == 200
                return await response.text()
        except aiohttp.ClientConnectionError:
            if time.monotonic() > deadline:
                raise
        # Not a sleep to synchronise on: the port is not bound yet; wait() returns if `web` ends.
        with contextlib.suppress(subprocess.TimeoutExpired):
            web.proc.wait(0.1)


async def _screen_until(ws: aiohttp.ClientWebSocketResponse, *needles: bytes, timeout: float = 60.0) -> bytes:
    """The app's output (textual-serve sends the desk's terminal bytes as binary frames) until
    every needle has appeared."""
    seen = b""
    deadline = time.monotonic() + timeout
    while not all(n in seen for n in needles):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{[n for n in needles if n not in seen]} never arrived; last bytes {seen[-400:]!r}")
        message = await ws.receive(timeout=left)
        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), f"the websocket ended: {message}"
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data
    return seen


def _signed_in(web: Web, username: str) -> int:
    """How many terminals the demo salon counts signed in as ``username`` (admin list-staff's figure)."""
    (db,) = web.home.rglob("demo.db")
    return next(row.sessions for row in list_staff(f"sqlite:///{db}") if row.username == username)


async def test_a_browser_gets_the_page_and_a_desk_of_its_own_on_the_websocket(web):
    origin = {"Origin": web.url}
    async with aiohttp.ClientSession() as session:
        page = await _page(web, session)
        # textual-serve's page: its terminal script, and the websocket a browser then opens.
        assert "js/textual.js" in page
        assert f'data-session-websocket-url="ws://127.0.0.1:{web.port}/ws"' in page

        async with session.ws_connect(f"{web.url}/ws?width=80&height=24", headers=origin) as ws:
            # The sign-in screen, the demo salon's locations from its server, and the tab's notice
            # that its sign-in is kept only while it is open.
            await _screen_until(ws, b"Sign in", b"Username", b"PIN", b"Downtown", b"DEMO", b"This browser tab")
            (tab,) = web.tab_homes()  # one desk-tui process, with its own home
            # Keys go the other way as stdin packets: signing in is what it is in a terminal.
            await ws.send_str(json.dumps(["stdin", "reception\t1111\r"]))
            await _screen_until(ws, b"Next day")  # the calendar's footer
            # The protocol's keep-alive goes through too (the page pings to notice a dead link).
            await ws.send_str(json.dumps(["ping", "42"]))
            while (message := await ws.receive(timeout=30)).type != aiohttp.WSMsgType.TEXT:
                assert message.type == aiohttp.WSMsgType.BINARY, message
            assert json.loads(message.data) == ["pong", "42"]
            assert _signed_in(web, "reception") == 1  # the tab's sign-in, on the server
        # The tab closed: its desk quit and took its home with it, signing out on the server first
        # (the token died with the tab's memory; left valid, it would count as a desk signed in).
        _until(lambda: not tab.exists(), "the closed tab's desk to end", web)
        assert _signed_in(web, "reception") == 0

        # A second tab is a second desk: nobody's sign-in carries over, so a PIN is asked again.
        async with session.ws_connect(f"{web.url}/ws?width=80&height=24", headers=origin) as ws:
            await _screen_until(ws, b"not signed in", b"Username", b"Downtown")
            (second,) = web.tab_homes()
            assert second != tab
            demo_pid = json.loads(next(web.home.rglob(STATE_FILE)).read_text())["pid"]

            # Stopped while the tab is open: `web` closes the tab saying why (instead of leaving it
            # to aiohttp's shutdown), the tab's desk ends, and `web` exits cleanly.
            web.proc.send_signal(signal.SIGTERM)
            while (message := await ws.receive(timeout=30)).type == aiohttp.WSMsgType.BINARY:
                pass
            assert message.type == aiohttp.WSMsgType.CLOSE, message
            assert message.extra == "desk-tui web is stopping"
            assert web.proc.wait(30) == 0, web.said()
    assert not second.exists(), "the open tab's desk outlived desk-tui web"
    # Nothing holds the demo salon any more, so it stops by itself, as after the last terminal desk.
    wait_for_exit(demo_pid, timeout=30, what="the demo server to stop after desk-tui web")


async def test_the_websocket_answers_only_pages_of_its_own_address(web):
    async with aiohttp.ClientSession() as session:
        await _page(web, session)
        # Another web site open in the same browser (cross-site), or one that had its name
        # resolve to 127.0.0.1 (DNS rebinding): no desk for either.
        for headers in ({"Origin": "http://evil.example"},
                        {"Host": f"evil.example:{web.port}", "Origin": f"http://evil.example:{web.port}"}):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"{web.url}/ws", headers=headers)
            assert refused.value.status == 403
        assert web.tab_homes() == [], "a refused page started a desk"
        # The same server still answers its own page's websocket.
        async with session.ws_connect(f"{web.url}/ws", headers={"Origin": f"http://localhost:{web.port}"}) as ws:
            await _screen_until(ws, b"Username")


@pytest.mark.parametrize(("argv", "said"), [
    (["--host", "0.0.0.0"], "Say --public"),
    (["--host", "192.168.1.20"], "Say --public"),
    (["--host", "0.0.0.0", "--public"], "give --public-url"),
], ids=["every-address", "a-lan-address", "public-without-a-url"])
def test_an_address_other_machines_reach_is_refused_unless_said_plainly(argv, said, capsys):
    assert main(["web", *argv]) == 2
    assert said in capsys.readouterr().err


def test_a_tabs_desk_reads_the_machines_config_but_keeps_its_sign_in_to_itself(tmp_path):
    """What `web` runs per tab, asked `doctor`: the machine's config.toml applies (its server),
    but a token would be kept in memory only, even where the machine's desks opted in to a
    token file, and the tab's cache and log of its own live in a private folder gone afterwards."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    (home / "config").mkdir(parents=True)
    tmp.mkdir()
    (home / "config" / "config.toml").write_text('server = "http://127.0.0.1:9"\ntoken_file = true\n')
    env = {**os.environ, "DESK_HOME": str(home), "TMPDIR": str(tmp)}
    env.pop("DESK_SERVER", None)
    done = subprocess.run([sys.executable, "-m", "desk_tui.browser_session", "doctor"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr  # 1: the configured server does not answer
    said = done.stdout
    assert "http://127.0.0.1:9 (configured)" in said
    assert "not used (a browser tab); tokens kept in memory only" in said and "mode 0600" not in said
    config_line = next(line for line in said.splitlines() if line.startswith("Config"))
    assert f"{tmp}/{PREFIX}" in config_line and "(present)" in config_line
    assert list(tmp.iterdir()) == []


def test_without_the_web_extra_it_says_how_to_add_it(tmp_path):
    # A reception PC's install: textual-serve cannot be imported.
    code = "import sys; sys.modules['textual_serve'] = None\nfrom desk_tui.cli import main\nraise SystemExit(main(['web']))"
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "DESK_HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "pip install 'desk-tui[web]'" in done.stderr
