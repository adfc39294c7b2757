"""The baseline of the keystroke → repaint benchmark: a bare DataTable shaped like the busy
calendar day at 80×24 (a 5-wide time column fixed on the left, 20 staff columns 12 wide, 48
quarter-hour rows, every staff cell holding a booking's glyph and name), cell cursor, and a Footer."""

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

STAFF, ROWS = 20, 48
READY = "Staff 00"


class DayApp(App):
    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="cell", fixed_columns=1)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Time", width=5)
        for n in range(STAFF):
            table.add_column(f"Staff {n:02d}", width=12)
        for row in range(ROWS):
            hour, minute = divmod(8 * 60 + 15 * row, 60)
            time = f"{hour:02d}:00" if minute == 0 else f"  :{minute:02d}"
            cells = [Text.assemble("•  ", (f"Guest {row * STAFF + n:03d}", "bold")) for n in range(STAFF)]
            table.add_row(time, *cells, height=1)
        table.cursor_coordinate = table.cursor_coordinate._replace(column=1)
        table.focus()


if __name__ == "__main__":
    DayApp().run()
