from __future__ import annotations

import json
import re
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")

#: A JSON object as read from the wire or from disk, before it is validated into a model.
JSONObject = dict[str, Any]

#: Free-text fields are bounded so no input can make the server do unbounded work.
NAME_MAX = 200
TEXT_MAX = 2000

#: One price, payment or amount in minor units. Bounded so any single value fits the 32-bit
#: columns of both engines (PostgreSQL refuses more, SQLite would store it) with room for
#: sums: 10^9 is a million euros in cents or a billion forints, far past any one price. Sums
#: of many prices (liability, store credit) are computed or stored as 64-bit.
PRICE_MAX = 10**9
#: Units of one pool and the cost of one service are bounded so sums stay well inside 32 bits.
UNITS_MAX = 1_000_000

Money = Annotated[int, Field(ge=0, le=PRICE_MAX)]
Units = Annotated[int, Field(ge=1, le=UNITS_MAX)]

# -- text that reaches a terminal --------------------------------------------------------------
# Names and notes are drawn on every desk's terminal (and over SSH). A control character in
# them is an instruction to that terminal: ESC and the C1 CSI/OSC start escape sequences (set
# the window title, write the clipboard with OSC 52, clear the screen), BEL rings, CR and LF
# forge extra lines in a table. Every input box of the client is one line, so no free-text field
# needs any of them: the server refuses C0 (tab and newline included), DEL and C1 outright, and
# the client shows any that still arrive (older rows, an older or hostile server) as visible
# glyphs rather than obeying them.

#: the characters refused in text and made visible on display
CONTROL_CLASS = r"\x00-\x1f\x7f-\x9f"
NO_CONTROLS_PATTERN = rf"^[^{CONTROL_CLASS}]*$"


def _refuse_controls(value: str) -> str:
    for ch in value:
        if _is_control(ch):
            raise ValueError(f"must not contain control characters (found U+{ord(ch):04X})")
    return value


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F


#: One line of text typed by staff: a name, a note, a reason, a description. Every free-text
#: field of a request uses it (with its own length bounds), so the rule lives here once.
Line = Annotated[str, AfterValidator(_refuse_controls), Field(json_schema_extra={"pattern": NO_CONTROLS_PATTERN})]
Name = Annotated[Line, Field(min_length=1, max_length=NAME_MAX)]
Text = Annotated[Line, Field(max_length=TEXT_MAX)]


#: fields the server lays out on several lines (a receipt): their line feeds are kept
MULTILINE_FIELDS = frozenset({"receipt_text"})

# JSON carries a control character as a \u00XX escape (C0 must be escaped; DEL and C1 may
# also come raw, as the UTF-8 bytes below). The usual \n \t escapes of a receipt do not match.
_MAY_HOLD_CONTROLS = re.compile(rb"\\u00[0189][0-9a-fA-F]|\\u007[fF]|\x7f|\xc2[\x80-\x9f]|\\[nrtbf]")


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control character replaced by something a terminal only draws: C0 and
    DEL by their Unicode control pictures (ESC → ␛, BEL → ␇, LF → ␊), C1 by U+FFFD.
    ``multiline`` keeps line feeds."""
    if not any(_is_control(ch) for ch in text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if multiline and ch == "\n":
            out.append(ch)
        elif code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif 0x80 <= code <= 0x9F:
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def visible_data(value: Any, *, multiline: bool = False) -> Any:
    """:func:`visible` applied to every string inside decoded JSON, keys and nested values
    included; the line feeds of :data:`MULTILINE_FIELDS` are kept."""
    if isinstance(value, str):
        return visible(value, multiline=multiline)
    if isinstance(value, list):
        return [visible_data(v) for v in value]
    if isinstance(value, dict):
        return {visible(k): visible_data(v, multiline=k in MULTILINE_FIELDS) for k, v in value.items()}
    return value


def read_json(body: bytes | str) -> Any | None:
    """A response body as decoded JSON with its controls made :func:`visible`, or None when the
    body holds none (the common case: then decode it as it is, at full speed). The one place
    text from a server enters the client: whatever an older or hostile server sends, or a row
    stored before the server refused controls, the terminal only ever gets glyphs."""
    raw = body.encode() if isinstance(body, str) else body
    if not _MAY_HOLD_CONTROLS.search(raw):
        return None
    return visible_data(json.loads(raw))


# defer_build: a model builds its validator when first used, not at import. The client imports
# the whole contract with its HTTP client, but the calendar it opens on uses a handful of it.
class Wire(BaseModel):
    """Base of every wire model: unknown fields from a newer server are ignored, not fatal."""

    model_config = ConfigDict(extra="ignore", frozen=False, defer_build=True)


class Request(BaseModel):
    """Base of request bodies: a typo in a field name is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Page(Wire, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Problem(Wire):
    """An error answer (RFC 9457 problem+json), as the server writes it and the client reads it.

    ``code`` is a :class:`desk_tui.contract.problems.ProblemCode`, kept a plain string so the
    code of a newer server still reads; ``errors`` lists the fields of a ``validation_error``.
    Members of one code (``conflicts`` of staff_double_booked, ``retry_after``) ride along as
    extras (``model_extra``)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str = ""
    status: int
    detail: str = ""
    code: str = ""
    #: a validation_error about one input: its path as the request spells it ("lines.0.source.card_id")
    field: str | None = None
    errors: list[JSONObject] = Field(default_factory=list)
