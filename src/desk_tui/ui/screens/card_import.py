"""Cards moved in from a previous system, from a CSV file (owners only).

The owner types where the file is; the app reads it (off the event loop) and asks the server
for a dry run, which says how many cards the file holds and what is wrong with each row it
refuses, in words, in a list that scrolls. Only a file with no problems can be imported, after
a confirmation; the server then imports every row or none. What is imported is exactly what
was checked (the bytes read for the check), and the key of the real run follows the file's
content: a retry of the same file replays the first answer, a corrected file is a new request.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from desk_tui.client.errors import ApiError
from desk_tui.contract.cards import ImportResult
from desk_tui.contract.problems import ProblemCode
from desk_tui.ui.counting import plural
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.form_dialog import FormDialog, Send, required

#: Far more than any card list (5 000 rows are well under 1 MB): a bigger file is the wrong file,
#: and is refused before it is read into memory. The server has its own, smaller limit.
MAX_READ_BYTES = 10_000_000


def read_file(path: Path) -> bytes:
    """The file's bytes, or a FormProblem saying plainly why they cannot be had."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise FormProblem(f"{path} is a folder; give the CSV file inside it.")
        if size > MAX_READ_BYTES:
            raise FormProblem(f"{path.name} is {size / 1_000_000:.0f} MB, far larger than a card list: "
                              "is it the right file?")
        return path.read_bytes()
    except FileNotFoundError:
        raise FormProblem(f"There is no file at {path}.") from None
    except PermissionError:
        raise FormProblem(f"This user may not read {path}.") from None
    except OSError as exc:
        raise FormProblem(f"{path} cannot be read ({exc.strerror or exc}).") from None


def report(result: ImportResult) -> str:
    """The dry run in words: how many cards, then every refused row."""
    if not result.rejected:
        return f"{plural(result.accepted, 'card')} ready to import; no problems found."
    lines = [f"{plural(result.accepted, 'row')} ready; {plural(len(result.rejected), 'row')} with problems:"]
    lines += [f"Row {r.row}: {r.detail}" for r in result.rejected]
    return "\n".join(lines)


class ImportCardsScreen(FormDialog[ImportResult]):
    LAST_FIELD = "path"

    def __init__(self) -> None:
        super().__init__()
        self.file: Path | None = None
        """The file imported (the caller names it in the notification)."""

    def heading(self) -> str:
        return "Import cards (CSV)"

    def question(self) -> str:
        return ("A CSV file from the previous system, one card per row; the first row names the columns "
                "(package_id, and customer_id or customer_name, at least). It is checked first, then every row "
                "is imported, or none.")

    def fields(self) -> ComposeResult:
        yield Label("File")
        yield Input(id="path", max_length=1000, placeholder="/full/path/cards.csv or ~/cards.csv")
        with VerticalScroll(id="import-report-box"):
            yield Static("", id="import-report", markup=False)

    def submit_label(self) -> str:
        return "Check the file"

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()


    def show_report(self, text: str) -> None:
        self.query_one("#import-report", Static).update(text)
        self.query_one("#import-report-box").display = bool(text)

    def build(self) -> tuple[object, Send]:
        typed = required(self.query_one("#path", Input).value, "the file's path")
        path = Path(typed).expanduser()
        if not path.is_absolute():
            raise FormProblem("File: the full path, such as /home/anna/cards.csv, or one starting with ~/.")
        return str(path), lambda key: self._check_then_import(path, key)

    async def _check_then_import(self, path: Path, key: str | None) -> ImportResult:
        self.show_report("")
        self.say(f"Reading {path.name}…")
        data = await asyncio.to_thread(read_file, path)
        self.say("Checking every row…")
        preview = await self._send_file(data, dry_run=True, key=None)
        self.show_report(report(preview))
        if preview.rejected:
            raise FormProblem("Nothing can be imported until every row is right: correct the file, then press "
                              "Enter to check it again.")
        if preview.accepted == 0:
            raise FormProblem(f"{path.name} has no cards in it, only the row of column names.")
        cards = plural(preview.accepted, "card")
        self.say(f"{cards} ready to import.")
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Import {cards} from {path.name}? Every row is imported, or none.",
                yes=f"Import {cards}", no="Back", title="Import cards")):
            raise FormProblem("Nothing was imported.")
        self.say("Importing…")
        # The same file again is the same request: the client's intent journal keys it by its content.
        result = await self._send_file(data, dry_run=False, key=key)
        if result.rejected or result.imported != result.accepted:
            self.show_report(report(result))  # changed since the check (a number taken meanwhile)
            raise FormProblem("Nothing was imported: the rows above were refused this time.")
        self.file = path
        return result

    async def _send_file(self, data: bytes, *, dry_run: bool, key: str | None) -> ImportResult:
        try:
            return await self.session.client.cards.import_cards(data, dry_run=dry_run, idempotency_key=key)
        except ApiError as exc:
            # What is wrong with the file as a whole (no header, an unknown column, not UTF-8) is
            # composed by the server for people; the generic "check the highlighted fields" is not.
            if exc.code == ProblemCode.VALIDATION_ERROR and exc.detail:
                raise FormProblem(f"This file cannot be imported: {exc.detail}") from None
            raise

    def outcome(self, result: ImportResult) -> str:
        return f"{plural(result.imported, 'card')} imported from {self.file.name if self.file else 'the file'}."
