"""A manager approves at the receptionist's till: their username and PIN, for one change.

Asked for when the server answers ``manager_approval_required`` (a price or discount beyond the
organisation's limit). The dialog resends the change with the approval itself, so a wrong PIN is
said under the fields and can be typed again; Escape goes back to the change, nothing lost. The
PIN is sent with that one request and kept nowhere; no one is signed in or out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Label

from desk_tui.client.errors import ApiError
from desk_tui.contract.problems import ProblemCode
from desk_tui.contract.sales import ManagerApproval
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.screens.form_dialog import FormDialog, Send, required

APPROVAL_NEEDED = ProblemCode.MANAGER_APPROVAL_REQUIRED


class ManagerApprovalScreen(FormDialog[Any]):
    """Dismissed with the server's answer to the approved change, or None (Escape)."""

    LAST_FIELD = "pin"

    def __init__(self, why: str, send: Callable[[ManagerApproval], Awaitable[Any]]) -> None:
        super().__init__()
        self.why = why
        self.send_approved = send

    def heading(self) -> str:
        return "A manager approves"

    def question(self) -> str:
        return self.why

    def fields(self) -> ComposeResult:
        yield Label("Manager")
        yield Input(id="username", max_length=100, placeholder="username")
        yield Label("PIN")
        yield Input(id="pin", password=True, max_length=64, placeholder="digits")

    def submit_label(self) -> str:
        return "Approve"

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()

    def build(self) -> tuple[object, Send]:
        username = required(self.query_one("#username", Input).value, "the manager's username")
        approval = ManagerApproval(username=username, pin=required(self.query_one("#pin", Input).value,
                                                                   "the manager's PIN"))

        async def send(_key: str | None) -> Any:
            try:
                return await self.send_approved(approval)
            except ApiError:
                pin = self.query_one("#pin", Input)
                pin.value = ""  # a wrong PIN is typed again, the username stays
                pin.focus()
                raise

        return approval.username, send


async def with_approval(screen: FormDialog[Any], send: Callable[[ManagerApproval | None], Awaitable[Any]]) -> Any:
    """``send(None)``; when the server asks for a manager's approval, ask for it in the dialog
    above and let that dialog resend. Call from the screen's worker. Raises FormProblem when the
    approval is not given, so the screen below says so and keeps what was typed."""
    try:
        return await send(None)
    except ApiError as exc:
        if exc.code != APPROVAL_NEEDED:
            raise
        why = exc.sentence
    screen.say("Waiting for a manager's approval…")
    result = await screen.app.push_screen(ManagerApprovalScreen(why, send), wait_for_dismiss=True)
    if result is None:
        raise FormProblem("Not saved: this needs a manager's approval. Change it, or press the button again to ask.")
    return result
