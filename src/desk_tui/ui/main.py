"""Start the TUI: the only entry point cli.py calls for the default command."""

from __future__ import annotations

from desk_tui.client.paths import Paths


def launch(*, paths: Paths, overrides: dict[str, object] | None = None) -> int:
    from desk_tui.ui.app import DeskApp

    app = DeskApp(paths=paths, settings_overrides=overrides)
    try:
        result = app.run()
    finally:
        app.release_embedded_server()
    return result or app.return_code or 0
