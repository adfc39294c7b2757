"""The login screen paints with Textual and little else: the network, settings and wire-model
stacks (httpx, pydantic) load in a worker after the first frame (see make bench)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = {"pydantic", "pydantic_settings", "httpx", "fastapi", "sqlalchemy", "uvicorn", "alembic"}


def test_what_the_first_frame_needs_imports_no_network_or_model_stack():
    code = (
        "import sys, desk_tui.cli, desk_tui.ui.main, desk_tui.ui.app\n"
        # a None entry is an import blocked on purpose (httpx._main, see desk_tui/client), not loaded
        "print(' '.join(sorted({m.split('.')[0] for m, module in sys.modules.items() if module is not None})))"
    )
    loaded = set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
                 .stdout.split())
    assert "textual" in loaded
    assert not loaded & HEAVY, loaded & HEAVY


def test_the_http_client_loads_without_httpx_command_line_tool():
    # httpx imports its CLI (click, pygments) whenever click is installed; the app never runs it.
    code = (
        "import sys, desk_tui.client.api\n"
        "print(' '.join(sorted({m.split('.')[0] for m, module in sys.modules.items() if module is not None})))"
    )
    loaded = set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
                 .stdout.split())
    assert {"httpx", "pydantic"} <= loaded
    assert not loaded & {"click", "pygments"}, loaded & {"click", "pygments"}


def test_the_receipt_printing_stack_loads_only_when_a_receipt_is_printed():
    # python-escpos brings Pillow, qrcode and pyusb; fpdf2 fontTools: the desk pays for them at the first print.
    code = (
        "import sys, desk_tui.cli, desk_tui.ui.app, desk_tui.client.api, desk_tui.ui.screens.receipt\n"
        "import desk_tui.client.receipt_printer\n"
        "print(' '.join(sorted({m.split('.')[0] for m, module in sys.modules.items() if module is not None})))"
    )
    loaded = set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
                 .stdout.split())
    printing = {"escpos", "fpdf", "PIL", "usb", "qrcode", "barcode", "fontTools"}
    assert "desk_tui" in loaded and not loaded & printing, loaded & printing
