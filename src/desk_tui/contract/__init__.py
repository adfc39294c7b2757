"""Wire models of the booking API: the only code both the client and the server import.

Keep this package free of I/O and of anything but pydantic, so importing it is cheap for the
client's start-up and safe for the server.
"""
