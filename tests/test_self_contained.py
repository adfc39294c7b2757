"""The repository stands on its own: nothing in it points at documents that are not in it.

The product was specified in documents kept outside the repository (an API brief, a design
brief, a testing brief, help-centre pages). Their content lives in docs/ now, and requirements
are stated in words where they are used, so a reference to one of those files is a dead end for
the next engineer.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: a path out of the repository, a numbered help-centre page, or one of the outside briefs by name
OUTSIDE = re.compile(r"\.\./shared|seeds/0\d\d|\b(?:API|DESIGN|TESTING|STYLE)\.md\b")
TEXT = {".py", ".md", ".toml", ".tcss", ".cfg", ".ini", ".txt", ".sh", ".mako", ""}


def _files():
    for top in ("src", "tests", "scripts", "docs", "styles", ".ci"):
        yield from (p for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix in TEXT
                    and not any(part == "__pycache__" or part.endswith(".egg-info") for part in p.parts))
    yield from (ROOT / name for name in ("README.md", "Makefile", "pyproject.toml"))


def test_no_file_points_outside_the_repository():
    found = []
    for path in _files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, ("These lines point at documents outside the repository; point at docs/ (api.md, design.md, "
                       "testing.md) or say the requirement in words:\n" + "\n".join(found))
