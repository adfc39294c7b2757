"""docs/openapi.json is the API the code serves: a change to a route or a wire model that is not
regenerated (and so not reviewed as a diff of the document) fails here."""

from __future__ import annotations

import difflib
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "openapi.py"
DOCUMENT = ROOT / "docs" / "openapi.json"


def test_committed_openapi_document_matches_the_code():
    generated = runpy.run_path(str(SCRIPT))["generate"]()
    committed = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
    if committed != generated:
        diff = "".join(list(difflib.unified_diff(committed.splitlines(keepends=True),
                                                 generated.splitlines(keepends=True),
                                                 "docs/openapi.json (committed)", "the code's schema", n=1))[:60])
        raise AssertionError("docs/openapi.json is out of date with the code's OpenAPI schema. Run `make openapi`, "
                             "review the diff and commit it (and update docs/api.md if the contract changed).\n"
                             + diff)

