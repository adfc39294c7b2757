"""Where the connection to the booking server stands, as the sign-in screen shows it.

The app holds one of these (``SessionApp.connection_state``, a reactive the sign-in screen
watches) and, when it is ``FAILED``, the sentence that says why (``connection_error``).
"""

from __future__ import annotations

from enum import Enum


class ConnectionState(Enum):
    CONNECTING = "connecting"
    """Reading the settings, finding or starting the server, asking for its locations."""
    READY = "ready"
    """The server answered: the locations are known and a PIN can be checked."""
    FAILED = "failed"
    """It did not work; ``connection_error`` says why, and ctrl+r tries again."""
