"""Tables of the sales domain."""

from __future__ import annotations
