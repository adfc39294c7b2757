"""A table that shows the columns that fit its width, most important first, and under it a detail
pane with the highlighted row's other fields.

Wide tables (the Cards view has thirteen columns) are read at 80 columns too, where a full row
needed dozens of → presses to reach a card's status. Each column has a rank: the table takes
columns by rank while they fit (each as wide as its longest value, up to its ``max_width``) and
lays them out in the declared order; whatever is left out, or cropped, is spelled out for the
highlighted row in the pane below. A wider terminal simply shows more columns.

The rows are kept as values by column key, so a screen (or a test) reads a field by name whatever
columns happen to be on screen: :meth:`FittedTable.values`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.widgets import DataTable, Static

Cell = str | Text
#: DataTable pads every cell by one on each side.
PADDING = 2
#: A column cropped narrower than this says too little to be worth its place.
MIN_CROPPED = 8
NBSP = "\u00a0"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: 1 is kept longest; columns of equal rank are taken in the declared order
    rank: int
    #: wider values are cropped in the table and spelled out in the detail pane
    max_width: int = 30


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


def fit(columns: Sequence[Column], rows: Iterable[Mapping[str, Cell]], room: int) -> list[tuple[Column, int]]:
    """The columns shown in ``room`` cells, in declared order, each with its width. The most
    important column is shown even when it alone is too wide (cropped: it is still a list)."""
    rows = list(rows)
    natural = {c.key: min(c.max_width, max([cell_len(c.label), *(_width(r.get(c.key, "")) for r in rows)]))
               for c in columns}
    chosen: set[str] = set()
    used = 0
    for column in sorted(columns, key=lambda c: c.rank):  # sorted() is stable: declared order within a rank
        need = natural[column.key] + PADDING
        if used + need > room:
            # The first column that does not fit takes the rest of the row when that is enough
            # to recognise it (the detail pane spells out what is cropped); the others wait.
            rest = room - used - PADDING
            if not chosen or rest >= max(cell_len(column.label), MIN_CROPPED):
                chosen.add(column.key)
                natural[column.key] = max(rest, 1)
            break
        chosen.add(column.key)
        used += need
    return [(c, natural[c.key]) for c in columns if c.key in chosen]


def _cropped(cell: Cell, width: int) -> Cell:
    """A value too wide for its column ends in "…": its whole text is in the detail pane."""
    if _width(cell) <= width:
        return cell
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    text.truncate(width, overflow="ellipsis")
    return text


class FittedTable(Vertical):
    """``table_id`` names the DataTable inside (screens and tests look it up by that id)."""

    def __init__(self, columns: Sequence[Column], *, table_id: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self._table_id = table_id
        self._rows: dict[str, dict[str, Cell]] = {}
        self._shown: list[tuple[Column, int]] = []
        self._room = 0

    def compose(self) -> ComposeResult:
        yield DataTable(id=self._table_id, cursor_type="row", zebra_stripes=True)
        yield Static("", classes="row-detail", markup=False)

    @property
    def table(self) -> DataTable[Cell]:
        return self.query_one(DataTable)

    @property
    def shown_keys(self) -> list[str]:
        """The keys of the columns on screen, left to right."""
        return [c.key for c, _ in self._shown]

    def set_rows(self, rows: Iterable[tuple[str, Mapping[str, Cell]]]) -> None:
        """Replace every row (row key, values by column key); the cursor stays on the same row key
        when it is still listed."""
        self._rows = {key: dict(values) for key, values in rows}
        self._lay_out(force=True)

    def values(self, row_key: str) -> dict[str, Cell]:
        return self._rows[row_key]

    @property
    def highlighted_key(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def on_resize(self, event: Resize) -> None:
        self._lay_out()

    def _room_now(self) -> int:
        # Keep the vertical scrollbar's cells free, so a long list does not push a column out.
        return self.size.width - self.table.styles.scrollbar_size_vertical

    def _lay_out(self, *, force: bool = False) -> None:
        room = self._room_now()
        if room <= 0:
            return  # not laid out yet: on_resize comes
        shown = fit(self.columns, self._rows.values(), room)
        if not force and shown == self._shown:
            return
        self._shown, self._room = shown, room
        table = self.table
        keep = self.highlighted_key
        table.clear(columns=True)
        for column, width in shown:
            table.add_column(column.label, key=column.key, width=width)
        for key, values in self._rows.items():
            table.add_row(*(_cropped(values.get(c.key, ""), width) for c, width in shown), key=key)
        if keep in self._rows:
            table.move_cursor(row=list(self._rows).index(keep))
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        key = self.highlighted_key
        values = self._rows.get(key or "", {})
        widths = {c.key: w for c, w in self._shown}
        parts = []
        for column in self.columns:
            value = values.get(column.key, "")
            text = value.plain if isinstance(value, Text) else value
            shown = widths.get(column.key)
            if text and (shown is None or _width(value) > shown):  # left out, or cropped
                # A line of the pane breaks between fields or inside a value, never inside a label.
                parts.append(f"{column.label.replace(' ', NBSP)}:{NBSP}{text}")
        pane = self.query_one(".row-detail", Static)
        pane.update(" · ".join(parts))
        pane.display = bool(parts)  # no empty line under a table that shows everything
