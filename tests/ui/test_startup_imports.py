"""The login screen paints with Textual and little else: the network, settings and wire-model
stacks (httpx, pydantic) load in a worker after the first frame (see make bench)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = {"pydantic", "pydantic_settings", "httpx", "fastapi", "sqlalchemy", "uvicorn", "alembic"}


def loaded_after(modules: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing ``modules`` (a None entry
    is an import blocked on purpose, httpx._main, see desk_tui/client: not loaded)."""
    code = (f"import sys, {modules}\n"
            "print(' '.join(sorted({m.split('.')[0] for m, module in sys.modules.items() if module is not None})))")
    return set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split())


def test_what_the_first_frame_needs_imports_no_network_or_model_stack():
    loaded = loaded_after("desk_tui.cli, desk_tui.ui.main, desk_tui.ui.app")
    assert "textual" in loaded
    assert not loaded & HEAVY, loaded & HEAVY
    # Time zones are the calendar's: zoneinfo brings sysconfig with it (session 14).
    assert not loaded & {"zoneinfo", "sysconfig"}, loaded & {"zoneinfo", "sysconfig"}


def test_the_http_client_loads_without_httpx_command_line_tool():
    # httpx imports its CLI (click, pygments) whenever click is installed; the app never runs it.
    loaded = loaded_after("desk_tui.client.api")
    assert {"httpx", "pydantic"} <= loaded
    assert not loaded & {"click", "pygments"}, loaded & {"click", "pygments"}


def test_a_desk_with_a_configured_server_never_loads_the_demo_servers_machinery():
    # The embedded demo's lock file and process checks (filelock, sqlite3, psutil: ≈1.8 MiB of the
    # calendar's working set, make bench) are imported only when the demo server is wanted.
    loaded = loaded_after("desk_tui.client.connect, desk_tui.client.events")
    assert "httpx" in loaded
    assert not loaded & {"filelock", "sqlite3", "psutil"}, loaded & {"filelock", "sqlite3", "psutil"}


def test_the_receipt_printing_stack_loads_only_when_a_receipt_is_printed():
    # python-escpos brings Pillow, qrcode and pyusb; fpdf2 fontTools: the desk pays for them at the first print.
    loaded = loaded_after("desk_tui.cli, desk_tui.ui.app, desk_tui.client.api, desk_tui.ui.screens.receipt, "
                          "desk_tui.client.receipt_printer")
    printing = {"escpos", "fpdf", "PIL", "usb", "qrcode", "barcode", "fontTools"}
    assert "desk_tui" in loaded and not loaded & printing, loaded & printing
