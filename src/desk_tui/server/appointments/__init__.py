"""Appointments: the calendar day, booking (paid and from packages), edits with If-Match, and the
status transitions that release or redeem the card reservations behind package lines."""
