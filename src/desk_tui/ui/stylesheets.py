"""The desk's stylesheets (styles/*.tcss): the sign-in's three for a fresh desk's first frame, every
other one right after it.

Reading and parsing every sheet before the first frame took ≈ 50 M instructions of it
(docs/performance.md, session 13), and the sign-in needs three of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App

import desk_tui.styles  # type: ignore[import-not-found]  # mapped from the top-level styles/ by setuptools package-dir, which mypy cannot follow

# The package's own folder: importlib.resources would cost start-up time for the same answer.
STYLES = Path(desk_tui.styles.__file__).parent
# Every sheet in styles/, app.tcss first: where two rules tie, the later sheet's wins.
SHEETS: list[str] = sorted((str(p) for p in STYLES.iterdir() if p.name.endswith(".tcss")),
                           key=lambda p: ("app.tcss" not in p, p))
# What a fresh desk's first frame, the sign-in, is drawn with.
SIGN_IN_SHEETS = [p for p in SHEETS if Path(p).name in ("app.tcss", "login.tcss", "no_color.tcss")]


class StylesheetsApp(App[int]):
    CSS_PATH = [*SIGN_IN_SHEETS]  # a list of str | PurePath, as App declares it; the rest: all_sheets

    def all_sheets(self) -> None:
        """Every sheet in styles/, in SHEETS' order (a later sheet wins a tie), for the screens
        after the sign-in; once only (a second call finds nothing to add)."""
        sheet = self.stylesheet
        paths = [Path(os.path.abspath(p)) for p in SHEETS]  # as Stylesheet.read keys them
        if all(sheet.has_source(str(p)) for p in paths):
            return
        for path in paths:  # re-read in order: those read already would otherwise come first
            sheet.source.pop((str(path), ""), None)
        sheet.read_all(paths)
        sheet.parse()  # only the new ones: the others come from the stylesheet's cache
        sheet.update(self)
        if self.css_monitor is not None:  # --dev: reload these too when saved
            self.css_monitor.add_paths(paths)
