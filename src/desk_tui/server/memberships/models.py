"""Tables of the memberships domain."""

from __future__ import annotations
