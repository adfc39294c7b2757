"""`desk-tui --dev`: the style sheets reload when saved and the log goes to `textual console`."""

from __future__ import annotations

import os

from desk_tui.cli import _parser, dev_mode
from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp


def _app() -> DeskApp:
    return DeskApp(settings=load_settings(server="http://127.0.0.1:9"), paths=Paths.from_env())


def test_dev_mode_watches_the_style_sheets_and_talks_to_the_console(desk_home, monkeypatch):
    monkeypatch.setenv("TEXTUAL", "")
    plain = _app()
    assert plain.css_monitor is None and plain.devtools is None

    assert _parser().parse_args(["--dev"]).dev and not _parser().parse_args([]).dev
    dev_mode(os.environ)
    app = _app()
    assert app.debug and app.css_monitor is not None
    assert app.devtools is not None  # textual-dev is installed with the dev extras


def test_dev_mode_keeps_the_features_already_asked_for():
    env = {"TEXTUAL": "press"}
    dev_mode(env)
    assert set(env["TEXTUAL"].split(",")) == {"press", "debug", "devtools"}
