"""The ledger's hash chain: what makes an entry changed, removed or reordered behind the API's back
visible afterwards.

Every entry stores ``prev_hash``, the ``entry_hash`` of the entry before it on the same card (the
card's first entry follows :data:`GENESIS`), and ``entry_hash``, the SHA-256 of its own canonical
content with ``prev_hash`` inside it. The card row keeps the last entry's hash as ``ledger_head``
(beside ``last_seq``, under the same lock), so appending needs no read of the previous entry, and
removing a card's last entries shows too. The append-only triggers stop an UPDATE or DELETE; the
chain proves afterwards that nobody went around them (``desk-tui admin verify-ledger``).

The canonical content is every column an entry is written with except the two hashes: the card,
sequence, kind, pool, service, units and the four deltas, amount, who (customer, staff,
location), when, the links (undone or released entry, appointment, sale) and the note and values.
It is JSON with sorted keys and no spaces, times in UTC to the microsecond (what both engines
keep), so the same row read back from either engine hashes the same. Migration 0018 wrote the
chain for the entries made before it, with its own copy of this form: change the form only with a
migration that rewrites every hash.

Columns added later (:data:`OPTIONAL`: who of a family used the card, migration 0021) are in the
content only when set. Every entry written before them has them null, so its hash is what it was
and nothing is rewritten; an entry that sets one is covered by it, and setting it on an old entry
(or clearing it on a new one) changes the content, so either shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: what a card's first entry follows
GENESIS = "0" * 64

#: the columns of an entry that its hash covers (``prev_hash`` is added to them)
CONTENT = ("id", "card_id", "seq", "at", "kind", "entitlement_id", "service_id", "units", "initial_delta",
           "adjust_delta", "used_delta", "booked_delta", "customer_id", "staff_id", "location_id",
           "appointment_id", "sale_id", "note", "ref_id", "amount", "old_value", "new_value")

#: columns covered only when not null (see the module's docstring)
OPTIONAL = ("used_by_customer_id",)


def entry_hash(entry: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of one entry's content (its :data:`CONTENT` columns by name, and the
    :data:`OPTIONAL` ones that are set) after ``prev_hash``."""
    content = {name: _plain(entry[name]) for name in CONTENT}
    content.update({name: entry[name] for name in OPTIONAL if entry.get(name) is not None})
    content["prev_hash"] = prev_hash
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value
