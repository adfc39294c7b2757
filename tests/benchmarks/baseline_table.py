"""The baseline of the cursor-move benchmark: a bare DataTable shaped like the Customers table
(the same four columns and widths, row cursor, zebra stripes), 40 rows, and a Footer."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

READY = "Customer 01"


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Name", width=26)
        table.add_column("Phone", width=17)
        table.add_column("Email", width=20)
        table.add_column("Credit")
        for n in range(1, 41):
            table.add_row(f"Customer {n:02d}", f"+36 20 {n:03d} 0000", f"customer{n}@example.com", "")
        table.focus()


if __name__ == "__main__":
    TableApp().run()
