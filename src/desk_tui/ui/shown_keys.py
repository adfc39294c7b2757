"""The keys a screen answers, as the footer, F1 and the command palette list them.

Textual's ``Screen.active_bindings`` keeps one binding per key, and a priority binding wins:
the app's Esc, which clears messages and then lets the key go on to the screen
(``DeskApp.action_dismiss_messages``), took the place of every screen's "esc Back" and every
dialog's "esc Cancel" there. A binding that passes its key on is not what the key does, so
these lists show the binding beneath it instead.
"""

from __future__ import annotations

from typing import Any

from textual.binding import ActiveBinding
from textual.screen import Screen

#: ids of bindings that do their part and let the key go on (they raise SkipAction)
PASS_THROUGH = frozenset({"app.dismiss_messages"})


def active_keys(screen: Screen[Any]) -> dict[str, ActiveBinding]:
    found = dict(screen.active_bindings)
    for key, active in list(found.items()):
        if active.binding.id in PASS_THROUGH:
            beneath = _beneath(screen, key, active)
            if beneath is not None:
                found[key] = beneath
    return found


def _beneath(screen: Screen[Any], key: str, above: ActiveBinding) -> ActiveBinding | None:
    app = screen.app
    # Textual's own lookup order (the focused widget first, up to the app), as active_bindings reads it.
    for namespace, bindings in screen._modal_binding_chain:
        if namespace is above.node:
            continue
        for binding in bindings.key_to_bindings.get(key, []):
            state = app._check_action_state(binding.action, namespace)
            if state is not False:
                return ActiveBinding(namespace, binding, bool(state), binding.tooltip)
    return None
