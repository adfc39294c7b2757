"""The command palette (ctrl+p): every key-bound action of the current screen, by name, and the
front desk's everyday tasks from anywhere.

The screen's commands are built from its active bindings rather than listed by hand, so an action
that gets a key automatically gets a command too, and the two can never disagree; the keys of
Textual's own widgets (a table's "Cursor left") are not tasks and are left out. The everyday tasks
("book", "find a customer", "new cart", "redeem for a customer") are found on every screen: each
goes to its screen first, as its F-key does, and runs the action there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from textual.actions import parse as parse_action
from textual.app import App, SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen

from desk_tui.ui.navigation import BY_MODE
from desk_tui.ui.shown_keys import active_keys

#: (title, help, mode, action on that mode's screen, what to say once there)
EVERYDAY = (
    ("Book an appointment", "Calendar: book at the highlighted time (b on F2)", "calendar", "book", ""),
    ("Find a customer", "Customers: search by name, phone, email or card number (F3)", "customers", "focus_search",
     ""),
    ("New cart", "Checkout: a cart for a customer (n on F4)", "checkout", "new_cart", ""),
    ("Redeem a package for a customer", "Find the customer, Enter opens the profile, r redeems", "customers",
     "focus_search", "Type the customer's name; Enter opens their profile, where r redeems a session."),
)


def screen_commands(app: App[Any], screen: Screen[Any]) -> Iterable[SystemCommand]:
    seen: set[str] = set()
    for active in active_keys(screen).values():
        binding = active.binding
        if not active.enabled or not binding.description or binding.description in seen:
            continue
        if binding.id is None or type(active.node).__module__.startswith("textual."):
            continue  # Textual's own keys (cursor, scroll, focus next, copy): not tasks to look up by name;
            # every key desk-tui declares has an id (the keymap names it)
        seen.add(binding.description)
        title = binding.description
        help_text = f"{app.get_key_display(binding)}"
        _, name, args = parse_action(binding.action)
        if name == "go" and args:
            dest = BY_MODE[str(args[0])]
            title, help_text = f"Go to {dest.title}", f"{dest.help} ({help_text})"
        yield SystemCommand(title, help_text, _runner(app, active.node, binding.action))
    if getattr(app, "signed_in", None) is not None:
        for title, help_text, mode, action, say in EVERYDAY:
            if title not in seen:
                yield SystemCommand(title, help_text, _everyday(app, mode, action, say))
        yield SystemCommand("Sign out", "Forget this terminal's sign-in and show the login screen",
                            _runner(app, app, "sign_out"))
    yield SystemCommand("Quit", "Close desk-tui (ctrl+q)", app.action_quit)


def _everyday(app: App[Any], mode: str, action: str, say: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        from desk_tui.ui.navigation import close_to_root

        await app.switch_mode(mode)
        close_to_root(app)
        await app.run_action(action, app.screen)
        if say:
            app.notify(say, title=BY_MODE[mode].title)

    return run


def _runner(app: App[Any], namespace: DOMNode, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await app.run_action(action, namespace)

    return run
