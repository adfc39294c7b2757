"""FormDialog, the base of every form dialog (card actions, packages, plans, payment, line edits,
manager approval): a question, a few fields, one button, the server's answer.

A dialog is its own confirmation: it says exactly what will happen ("Refund 18 000 HUF to store
credit?") and nothing is sent until the button (or Enter on the last field) says so. It sends
the request itself, so a refusal ("Not enough sessions are left") is shown under the fields and
nothing typed is lost. One Idempotency-Key per intent, given by the client's intent journal: the
same request sent again before it had an answer reuses its key (also after the dialog was closed
or the app restarted), so a timeout can never apply an undo or a refund twice; changed fields make
a new intent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from desk_tui.client.errors import ApiError, AuthExpired
from desk_tui.ui.desk_session import Session, session_of
from desk_tui.ui.form_keys import ENTER, enter_key
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.worker_failures import SaysWorkerFailures

if TYPE_CHECKING:
    from desk_tui.ui.app import DeskApp

R = TypeVar("R")

Send = Callable[[str | None], Awaitable[Any]]
"""Sends the request with the given Idempotency-Key (None: the key of its intent, from the
client's journal — what the dialogs do) and returns the server's answer, or raises FormProblem
with a sentence for the status line (the dialog stays open)."""


class FormDialog(SaysWorkerFailures, ModalScreen[R], Generic[R]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="card_form.cancel"),
        Binding("ctrl+enter,ctrl+j", "submit", "Confirm", id="card_form.submit"),
        ENTER,
    ]
    LAST_FIELD = "reason"
    """The field whose Enter submits the dialog."""

    @property
    def desk(self) -> DeskApp:
        return cast("DeskApp", self.app)

    @property
    def session(self) -> Session:
        return session_of(self)

    # -- what a dialog provides --------------------------------------------------------------------
    def heading(self) -> str:
        raise NotImplementedError

    def question(self) -> str:
        return ""

    def fields(self) -> ComposeResult:
        yield from ()

    def submit_label(self) -> str:
        return "Confirm"

    def build(self) -> tuple[object, Send]:
        """Check the fields; return (what the intent is, how to send it) or raise FormProblem.
        Which key the request gets is the client's business: it tells intents apart by the
        request itself, so the first item only documents what a subclass sends."""
        raise NotImplementedError

    # -- the shared part -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog card-form"):
            yield Static(self.heading(), classes="title", markup=False)
            if text := self.question():
                yield Static(text, classes="form-question", markup=False)
            with Grid(classes="form-grid"):
                yield from self.fields()
            yield Button(self.submit_label(), id="submit", variant="warning")
            yield Static("", id="form-status", classes="status", markup=False)

    def action_enter_key(self) -> None:
        enter_key(self, last=self.LAST_FIELD, submit=self.action_submit)

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        try:
            _intent, send = self.build()
        except FormProblem as problem:
            self.say(str(problem))
            return
        self._send(send)

    @work(exclusive=True, group="card-form", exit_on_error=False)
    async def _send(self, send: Send) -> None:
        self.say("Sending…")
        try:
            result = await send(None)
        except AuthExpired:
            raise  # the app asks for the PIN again
        except ApiError as exc:
            self.say(_explain(exc))
            return
        except FormProblem as problem:  # found on the way (a file that cannot be read, a preview declined)
            self.say(str(problem))
            return
        self.dismiss(result)


    def say(self, text: str) -> None:
        self.query_one("#form-status", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _explain(exc: ApiError) -> str:
    if exc.fields:
        first = exc.fields[0]
        return f"{exc.sentence} ({first.get('field', 'form')}: {first.get('message', '')})"
    return exc.sentence


def required(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise FormProblem(f"Please give {what}.")
    return value
