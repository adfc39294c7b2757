"""The footer: the keys reception needs most, first, as many as fit; F1 lists them all.

Textual's Footer lays every shown key out in one row and lets the terminal's right edge cut
through whatever is last: at 80 columns an appointment lost n (no-show) and o (complete), and
the manager's profile ended in half a word. Here the order is the importance:

* a screen lists its BINDINGS most-needed first (the convention every screen follows), and its
  keys come before the focused widget's and the app's (quit, switch staff: on every screen,
  so known, and always in F1 and the command palette);
* the footer shows whole keys only, as many as its width holds, and when some are left out
  it ends with "F1 more" (F1 lists every key of the screen, ctrl+p finds any action by name).

It recomposes when the bindings change (Textual's signal) and when its width changes.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # the footer's own key widget: ours looks the same

from desk_tui.ui.shown_keys import active_keys

#: Shown last when keys were left out for want of room.
MORE = Binding("f1", "app.help", "more", id="footer.more", key_display="F1")
#: Columns a FooterKey takes around its key and description (its padding and margin in
#: Textual's CSS): " k " + "Label " normally, "k" + " Label" + a margin when compact.
KEY_PADDING = {False: 3, True: 2}
#: The docked command-palette key on the right: "▏ ^p palette ".
PALETTE_WIDTH = 13


class KeyFooter(Footer):
    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        chosen, left_out = self.keys_that_fit(self.size.width or self.app.size.width)
        for binding, enabled, tooltip in chosen:
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        if left_out:
            yield FooterKey(MORE.key, self.app.get_key_display(MORE), MORE.description,
                            MORE.action).data_bind(compact=Footer.compact)
        yield from self._palette_key()

    def keys_that_fit(self, width: int) -> tuple[list[tuple[Binding, bool, str]], int]:
        """The keys to show, most important first, and how many were left out."""
        ranked = self.ranked()
        room = width - (PALETTE_WIDTH if self.show_command_palette else 0)
        more = self._width(MORE)
        chosen: list[tuple[Binding, bool, str]] = []
        used = 0
        for index, entry in enumerate(ranked):
            need = self._width(entry[0])
            last = index == len(ranked) - 1
            # Room for this key, and for "F1 more" after it unless it is the last one.
            if used + need + (0 if last else more) > room:
                return chosen, len(ranked) - len(chosen)
            chosen.append(entry)
            used += need
        return chosen, 0

    def ranked(self) -> list[tuple[Binding, bool, str]]:
        """Shown bindings, one per action: the screen's (in its order), the focused widget's, the app's."""
        screen = self.screen
        first: dict[str, tuple[int, int, tuple[Binding, bool, str]]] = {}
        for position, (node, binding, enabled, tooltip) in enumerate(active_keys(screen).values()):
            if not binding.show or binding.action in first:
                continue
            level = 0 if node is screen else 2 if node is self.app else 1
            first[binding.action] = (level, position, (binding, enabled, tooltip))
        return [entry for _, _, entry in sorted(first.values(), key=lambda item: item[:2])]

    def _width(self, binding: Binding) -> int:
        return cell_len(self.app.get_key_display(binding)) + cell_len(binding.description) + KEY_PADDING[self.compact]

    def _palette_key(self) -> ComposeResult:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return
        found: Any = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if found is not None:
            _node, binding, enabled, _tooltip = found
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            classes="-command-palette", disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready:
            self.call_after_refresh(self.recompose)  # another width: another set of keys fits
