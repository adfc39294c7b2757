"""Getting to the calendar, an appointment and the booking form as a receptionist does."""

from __future__ import annotations

from textual.widgets import OptionList

from desk_tui.ui.screens.appointment import AppointmentScreen
from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.widgets.day_grid import DayGrid
from tests.ui.pilot import sign_in, wait_until


async def calendar_ready(pilot) -> CalendarScreen:
    await sign_in(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CalendarScreen)
    # The screen may be shown a moment before it is composed (a busy machine): wait for its grid.
    def drawn() -> bool:
        grid = screen.query_one(DayGrid)
        return grid.row_count > 0 and len(grid.columns) > 1

    await wait_until(pilot, drawn, "the day grid")
    return screen


async def open_appointment(pilot, appointment_id: str) -> AppointmentScreen:
    screen = pilot.app.screen
    grid = screen.query_one(DayGrid)
    await wait_until(pilot, lambda: grid.move_to(appointment_id), "the appointment in the grid")
    grid.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, AppointmentScreen)
                     and pilot.app.screen.appointment is not None, "the appointment view")
    return pilot.app.screen


async def booking_with_the_match(pilot, customer_name: str) -> tuple[BookingScreen, OptionList]:
    """Enter on the highlighted free slot and type the customer's name: the booking form, and its
    matches with the customer, the only one, highlighted."""
    app = pilot.app
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking screen")
    booking = app.screen
    await pilot.press(*customer_name)
    results = booking.query_one("#booking-customers", OptionList)
    await wait_until(pilot, lambda: results.option_count == 1 and results.highlighted == 0, "the customer")
    return booking, results


async def book_with_package(pilot, customer_name: str, *, expect: str) -> BookingScreen:
    """Enter on the highlighted free slot, find the customer, Use their first package service."""
    booking, _ = await booking_with_the_match(pilot, customer_name)
    await pilot.press("enter", "enter")  # to the results, then pick the first
    panel = booking.query_one("#booking-packages")
    await wait_until(pilot, lambda: panel.option_count >= 2, "the available packages")
    assert expect in str(panel.get_option_at_index(1).prompt)
    assert panel.highlighted == 1  # the first usable row, under the card's heading
    await pilot.press("enter")  # Use
    await wait_until(pilot, lambda: booking.query_one("#booking-lines").row_count == 1, "the package line")
    return booking


async def take_from_package(pilot, view: AppointmentScreen) -> str:
    """p on the appointment's paid line and y to the question asked: the line is now from a
    package. Returns the question, which names the card (and whose it is)."""
    app = pilot.app
    await pilot.press("p")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
    question = str(app.screen.query_one("#confirm-question").render())
    await pilot.press("y")
    await wait_until(pilot, lambda: view.appointment.lines[0].source is not None, "the package line")
    return question
