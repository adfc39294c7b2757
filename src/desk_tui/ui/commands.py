"""The command palette (ctrl+p): every key-bound action of the current screen, by name.

Built from the active bindings rather than listed by hand, so an action that gets a key
automatically gets a command too, and the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from textual.actions import parse as parse_action
from textual.app import App, SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen

from desk_tui.ui.navigation import BY_MODE


def screen_commands(app: App[Any], screen: Screen[Any]) -> Iterable[SystemCommand]:
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not active.enabled or not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        title = binding.description
        help_text = f"{app.get_key_display(binding)}"
        _, name, args = parse_action(binding.action)
        if name == "go" and args:
            dest = BY_MODE[str(args[0])]
            title, help_text = f"Go to {dest.title}", f"{dest.help} ({help_text})"
        yield SystemCommand(title, help_text, _runner(app, active.node, binding.action))
    if getattr(app, "signed_in", None) is not None:
        yield SystemCommand("Sign out", "Forget this terminal's sign-in and show the login screen",
                            _runner(app, app, "sign_out"))
    yield SystemCommand("Quit", "Close desk-tui (ctrl+q)", app.action_quit)


def _runner(app: App[Any], namespace: DOMNode, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await app.run_action(action, namespace)

    return run
