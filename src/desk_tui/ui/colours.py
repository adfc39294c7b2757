"""How the app colours itself, by what the terminal can show.

Three cases, decided once at start-up from the environment:

* ``NO_COLOR`` set (https://no-color.org): the terminal's own default colours only. State is
  shown by bold, dim, reverse, underline and by glyphs and words, never by a colour: the
  ``desk-no-color`` theme below gives the cursor rows and focused buttons a reverse bar, and
  ``styles/no_color.tcss`` does the same for what our own widgets mark with a colour.
* 8 or 16 colours (``TERM=xterm``, a Windows console): the terminal's own ANSI palette
  (``ansi-dark``), so its user's colour scheme decides, not our hex values downgraded.
* more: Textual's default theme.

Why the first needs more than the environment variable: Textual strips colour under NO_COLOR
(its ``NoColor`` filter) only when the app says ANSI colours are native; otherwise it turns
every colour into a grey (``Monochrome``), which an 8-colour terminal such as PuTTY's default
``xterm`` shows as black, so the text was black on the default background: unreadable on a
dark terminal. :func:`native_ansi` asks for native ANSI colours when NO_COLOR is set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from textual.theme import Theme

NO_COLOR_THEME = Theme(
    name="desk-no-color",
    ansi=True,
    primary="ansi_default",
    secondary="ansi_default",
    warning="ansi_default",
    error="ansi_default",
    success="ansi_default",
    accent="ansi_default",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    variables={
        # Named by Textual's own stylesheets (inline screens, toasts): defined, and the default.
        "ansi-background": "ansi_default",
        "ansi-foreground": "ansi_default",
        # The highlighted row of a list or table: a reverse bar where a colour bar would be.
        "block-cursor-foreground": "ansi_default",
        "block-cursor-background": "ansi_default",
        "block-cursor-text-style": "reverse bold",
        # ...and, while another widget has the focus, underlined: still findable, not active.
        "block-cursor-blurred-foreground": "ansi_default",
        "block-cursor-blurred-background": "ansi_default",
        "block-cursor-blurred-text-style": "underline",
        "block-hover-background": "ansi_default",
        "input-cursor-foreground": "ansi_default",
        "input-cursor-background": "ansi_default",
        "input-cursor-text-style": "reverse",
        "input-selection-foreground": "ansi_default",
        "input-selection-background": "ansi_default",
        "button-foreground": "ansi_default",
        "button-color-foreground": "ansi_default",
        "button-focus-text-style": "bold reverse",
        "footer-key-foreground": "ansi_default",
        "footer-key-background": "ansi_default",
        "footer-description-foreground": "ansi_default",
        "footer-description-background": "ansi_default",
        "footer-item-background": "ansi_default",
        "footer-foreground": "ansi_default",
        "footer-background": "ansi_default",
        "border": "ansi_default",
        "border-blurred": "ansi_default",
        "scrollbar": "ansi_default",
        "scrollbar-hover": "ansi_default",
        "scrollbar-active": "ansi_default",
        "scrollbar-background": "ansi_default",
        "scrollbar-background-hover": "ansi_default",
        "scrollbar-background-active": "ansi_default",
        "scrollbar-corner-color": "ansi_default",
        "link-color": "ansi_default",
        "link-background": "ansi_default",
        "link-style": "underline",
        "screen-selection-foreground": "ansi_default",
        "screen-selection-background": "ansi_default",
    },
)
"""Every colour the terminal's default; the NoColor filter would drop any other anyway, and a
theme without them keeps Textual's own ``:ansi`` rules from reaching for one."""

#: The colour systems (Rich's names) with 16 colours or fewer.
FEW_COLOURS = ("standard", "windows")


def no_color_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """NO_COLOR is set, to anything (Textual's test: present, even empty)."""
    return "NO_COLOR" in environ


def native_ansi(environ: Mapping[str, str] = os.environ) -> bool | None:
    """``App(ansi_color=…)``: native ANSI colours under NO_COLOR (see above), else the theme's say."""
    return True if no_color_requested(environ) else None


def theme_for(*, no_color: bool, color_system: str | None) -> str | None:
    """The theme to show; None keeps Textual's default."""
    if no_color:
        return NO_COLOR_THEME.name
    if color_system in FEW_COLOURS:
        return "ansi-dark"  # 16 colours: use the terminal's own palette
    return None
