"""The wheel ships every package: pyproject lists them by hand (styles/ is mapped in), so a new
package that is not listed would work in a checkout and vanish from an installed copy."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    # every folder holding Python (migrations/ has no __init__.py, but its files must ship)
    on_disk = {
        ".".join(py.parent.relative_to(ROOT / "src").parts)
        for py in (ROOT / "src" / "desk_tui").rglob("*.py")
        if "__pycache__" not in py.parts
    } | {"desk_tui.styles"}
    assert on_disk == listed


def test_styles_ship_inside_the_package():
    from importlib.resources import files

    sheets = {p.name for p in files("desk_tui.styles").iterdir() if p.name.endswith(".tcss")}
    assert {"app.tcss", "login.tcss"} <= sheets
