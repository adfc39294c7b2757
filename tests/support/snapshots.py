from __future__ import annotations

from pathlib import Path

from pytest_textual_snapshot import SVGImageExtension

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"


class SnapshotsDirExtension(SVGImageExtension):
    @classmethod
    def dirname(cls, *, test_location) -> str:
        return str(SNAPSHOTS / test_location.basename)
