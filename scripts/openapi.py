"""Write the server's OpenAPI document to docs/openapi.json (``make openapi``).

The document is what FastAPI generates from the routes and the contract models, pretty-printed
with sorted keys so a change to the API shows up as a readable diff in review.
tests/test_openapi_document.py fails when the committed file and the code disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def generate() -> str:
    """The OpenAPI document of the code as it is now, as the committed file spells it."""
    from desk_tui.server.app import ServerSettings, create_app

    # No database is opened: the schema comes from the routes and models alone.
    spec = create_app(ServerSettings(db_url="sqlite://", housekeeping_every=None)).openapi()
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    DOCUMENT.write_text(generate(), encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(Path.cwd()) if DOCUMENT.is_relative_to(Path.cwd()) else DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
