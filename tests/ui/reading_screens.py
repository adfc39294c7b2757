"""Reading what a screen shows at 80 columns: the footer's keys and a table's detail pane."""

from __future__ import annotations

from textual.widgets import Static
from textual.widgets._footer import FooterKey

WIDTH = 80


def shown_keys(screen) -> dict[str, FooterKey]:
    """The footer's keys wholly on screen, by key, the command palette's left out."""
    return {k.key: k for k in screen.query(FooterKey)
            if "-command-palette" not in k.classes and k.region.width and k.region.right <= WIDTH}


def cut_keys(screen) -> list[str]:
    return [k.key for k in screen.query(FooterKey) if (k.region.width and k.region.right > WIDTH)
            or (k.region.width == 0 and k.display)]


def detail(screen: object) -> str:
    pane = screen.query_one(".row-detail", Static)  # type: ignore[attr-defined]
    return str(pane.render()).replace("\xa0", " ")  # labels are kept whole with no-break spaces
