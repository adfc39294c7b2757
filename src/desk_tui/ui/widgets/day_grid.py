"""The calendar's day: one column per staff member, one row per quarter hour.

A DataTable underneath, so arrows, paging and horizontal scrolling with a fixed time column
come for free and a cursor move repaints one row, not the screen.

Appointments of one staff member may overlap (booked anyway, or arriving from another
terminal). None may hide another and a taken quarter hour never looks free: every quarter hour
an appointment covers shows it, or shows the one it shares the cell with and a "+1" marker (a
glyph, not a colour); Enter on such a cell lists them all (:meth:`DayGrid.stack`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from desk_tui.contract.appointments import Appointment
from desk_tui.contract.reference import Staff

SLOT = timedelta(minutes=15)
OPENS, CLOSES = time(8, 0), time(20, 0)

#: status as a glyph and a word: the calendar never relies on colour alone
STATUS = {
    "booked": ("•", "", ""),
    "checked_in": ("✓", "checked in", "bold green"),
    "completed": ("✔", "done", "dim"),
    "no_show": ("!", "no-show", "red"),
    "cancelled": ("✗", "cancelled", "dim strike"),
}
PACKAGE = "▣"
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Slot:
    staff: Staff
    start: datetime


class DayGrid(DataTable[Text | str]):
    BINDINGS = [
        Binding("h", "cursor_left", "Left", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("l", "cursor_right", "Right", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="cell", fixed_columns=1, zebra_stripes=False, **kwargs)
        self._staff: list[Staff] = []
        self._slots: list[datetime] = []
        self._cells: dict[tuple[int, int], Appointment] = {}
        """The appointment each cell shows."""
        self._stacks: dict[tuple[int, int], list[Appointment]] = {}
        """The cells shared by overlapping live appointments: the shown one first, then the others."""

    def show_day(self, *, day: date, tz: ZoneInfo, staff: list[Staff], appointments: list[Appointment],
                 now: datetime, column_width: int = 18) -> None:
        keep = self.cursor_coordinate
        self._staff = staff
        self._slots = _slots(day, tz, appointments)
        self._cells, self._stacks = {}, {}
        grid: list[list[Text | str]] = [[s.strftime("%H:%M") if s.minute == 0 else "  :" + s.strftime("%M"),
                                         *[""] * len(staff)] for s in self._slots]
        column_of = {s.id: i + 1 for i, s in enumerate(staff)}
        by_column: dict[int, list[Appointment]] = {}
        for appt in appointments:
            if appt.staff_id in column_of:
                by_column.setdefault(column_of[appt.staff_id], []).append(appt)
        for col, appts in by_column.items():
            self._draw_live(grid, col, [a for a in appts if a.status != "cancelled"], column_width)
            # A cancelled appointment only where nothing live is, so it never hides a booking.
            for appt in sorted((a for a in appts if a.status == "cancelled"), key=lambda a: (a.start, a.id)):
                rows = self._rows_of(appt)
                if rows and not any((r, col) in self._cells for r in rows):
                    for n, row in enumerate(rows):
                        self._cells[(row, col)] = appt
                        grid[row][col] = _cell_text(appt, n)
        self.clear(columns=True)
        self.add_column("Time", width=5, key="time")
        for s in staff:
            self.add_column(s.name.split()[0][:column_width], width=column_width, key=s.id)
        for slot, cells in zip(self._slots, grid, strict=True):
            self.add_row(*cells, key=slot.isoformat(), height=1)
        if keep.row < self.row_count and 0 < keep.column < len(self.columns):
            self.cursor_coordinate = keep
        else:
            self.cursor_coordinate = self._first_useful_cell(now)

    def _draw_live(self, grid: list[list[Text | str]], col: int, live: list[Appointment], width: int) -> None:
        """One staff member's live appointments. Where several cover a quarter hour, the cell keeps
        showing the one it showed above (so an appointment reads top to bottom) and counts the others;
        one that comes out from under another starts with its name there."""
        covering: dict[int, list[Appointment]] = {}
        # At the same start the one booked first keeps the cell; the one booked over it is the "+1".
        for appt in sorted(live, key=lambda a: (a.start, a.created_at or _NEVER, a.id)):
            for row in self._rows_of(appt):
                covering.setdefault(row, []).append(appt)
        above: Appointment | None = None
        n = 0
        for row in sorted(covering):
            here = covering[row]
            if above is not None and (row - 1, col) in self._cells and any(a.id == above.id for a in here):
                shown, n = above, n + 1
            else:
                shown, n = here[0], 0
            self._cells[(row, col)] = shown
            text = _cell_text(shown, n)
            if len(here) > 1:
                self._stacks[(row, col)] = [shown, *(a for a in here if a.id != shown.id)]
                text = _with_marker(text, len(here) - 1, width)
            grid[row][col] = text
            above = shown

    def _rows_of(self, appt: Appointment) -> list[int]:
        """The quarter hours the appointment overlaps, worked out from its times (a busy day has
        hundreds of appointments; scanning every slot for each was most of a redraw)."""
        first, count = self._slots[0], len(self._slots)
        top = max((appt.start - first) // SLOT, 0)
        bottom = min(-(-(appt.end - first) // SLOT), count)  # ceiling division
        return list(range(top, max(bottom, top + 1))) if top < count else []

    def _first_useful_cell(self, now: datetime) -> Coordinate:
        row = next((i for i, s in enumerate(self._slots) if s <= now < s + SLOT), 0)
        return Coordinate(row, 1 if self._staff else 0)

    def selection(self) -> Appointment | Slot | None:
        row, col = self.cursor_coordinate
        if col == 0 or not self._staff or row >= len(self._slots):
            return None
        return self._cells.get((row, col)) or Slot(self._staff[col - 1], self._slots[row])

    def stack(self) -> list[Appointment]:
        """Every live appointment under the cursor when more than one shares it (the "+1" cells)."""
        row, col = self.cursor_coordinate
        return list(self._stacks.get((row, col), []))

    def move_to(self, appointment_id: str) -> bool:
        """The cursor to the appointment's first cell; one that is under another everywhere is
        reached through the first cell it shares (Enter there lists it)."""
        shown = [rc for rc, appt in self._cells.items() if appt.id == appointment_id]
        shared = [rc for rc, stack in self._stacks.items() if any(a.id == appointment_id for a in stack)]
        if not shown and not shared:
            return False
        row, col = min(shown or shared)
        self.cursor_coordinate = Coordinate(row, col)
        last = max(r for r, c in shown + shared if c == col)
        self.scroll_to_region(self._get_cell_region(Coordinate(last, col)), animate=False)
        return True

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if new.column == 0 and len(self.columns) > 1:  # the time column is a ruler, not a place to book
            self.cursor_coordinate = new._replace(column=1)


def _slots(day: date, tz: ZoneInfo, appointments: list[Appointment]) -> list[datetime]:
    start = datetime.combine(day, OPENS, tz)
    end = datetime.combine(day, CLOSES, tz)
    for a in appointments:  # an early or late booking widens the day rather than disappearing
        start = min(start, a.start.astimezone(tz).replace(minute=a.start.minute // 15 * 15, second=0, microsecond=0))
        end = max(end, a.end.astimezone(tz))
    slots, t = [], start
    while t < end:
        slots.append(t)
        t += SLOT
    return slots


def _with_marker(text: Text, others: int, width: int) -> Text:
    """``text`` cut to leave room for "+N" at the cell's right edge, where it is always seen."""
    marker = f" +{others}"
    text = text.copy()
    text.truncate(max(width - len(marker), 1), pad=True)
    text.append(marker, style="bold")
    return text


def _cell_text(appt: Appointment, n: int) -> Text:
    glyph, word, style = STATUS.get(appt.status, ("?", appt.status, ""))
    if n == 0:
        text = Text(glyph, style=style)
        text.append(PACKAGE if appt.from_package else " ", style="magenta" if appt.from_package else "")
        text.append(" " + appt.customer_name, style=style or "bold")
        return text
    if n == 1:
        services = ", ".join(line.service_name for line in appt.lines)
        return Text("  " + services + (f" · {word}" if word else ""), style=style)
    return Text("  ┊", style="dim")
