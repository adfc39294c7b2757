from __future__ import annotations

from pathlib import Path

import pytest
import textual.constants
from pytest_textual_snapshot import SVGImageExtension

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"

#: The colour system the baselines were drawn with. Left on "auto", Rich picks it from the
#: developer's TERM and COLORTERM (xterm-256color + truecolor gives other colours than plain
#: xterm or CI), so the same screen would compare differently on every desk.
SNAPSHOT_COLOUR_SYSTEM = "standard"


class SnapshotsDirExtension(SVGImageExtension):
    @classmethod
    def dirname(cls, *, test_location) -> str:
        return str(SNAPSHOTS / test_location.basename)


@pytest.fixture(autouse=True)
def pinned_colour_system(request, monkeypatch):
    """Snapshot tests draw with :data:`SNAPSHOT_COLOUR_SYSTEM` whatever the terminal reports.
    Textual reads ``TEXTUAL_COLOR_SYSTEM`` once at import and each App reads the constant when
    it is built, so setting the constant before the test body builds its app is enough."""
    if "snap_compare" in request.fixturenames:
        monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", SNAPSHOT_COLOUR_SYSTEM)
