"""Start the TUI: the only entry point cli.py calls for the default command."""

from __future__ import annotations

import gc

from desk_tui.client.paths import Paths


def launch(*, paths: Paths, overrides: dict[str, object] | None = None) -> int:
    # Python's cycle collector walks every object Textual's import and the first compose have
    # made, again and again, before anything is on screen, and finds next to nothing to free:
    # off until the first frame is painted (DeskApp.on_mount turns it back on after it).
    gc.disable()
    try:
        from desk_tui.ui.app import DeskApp

        app = DeskApp(paths=paths, settings_overrides=overrides)
        try:
            result = app.run()
        finally:
            app.release_embedded_server()
    finally:
        gc.enable()
    return result or app.return_code or 0
