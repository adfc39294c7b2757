"""Parsed stylesheets shared by the apps of one test process.

Textual keeps parsed CSS in a cache per ``Stylesheet``, and ``Stylesheet.reparse`` (run whenever
a widget class is first mounted, and when the theme changes) parses every sheet again into a
fresh ``Stylesheet`` with an empty cache. So each test's new ``DeskApp`` tokenized and parsed every
``.tcss`` file several times: about a fifth of a Pilot test's CPU, and the app's busy CPU is what
``Pilot.press`` waits out before it returns.

Here the parsed rules are kept for the whole process, keyed by everything the parse reads: the
CSS text, where it was read from, whether it is a widget's default CSS, its tie-breaker, its scope,
and the CSS variables (the theme: NO_COLOR and 16-colour apps get their own entries). The parse
itself is Textual's own; rule sets are only read once parsed (``Stylesheet.apply`` extracts from
them), which is why the per-stylesheet cache could already hand the same ones out again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

_parsed: dict[tuple[Any, ...], list[RuleSet]] = {}


@contextmanager
def shared_parsed_styles() -> Iterator[None]:
    """Within this block every Stylesheet parses a given source, under given variables, once."""
    parse_once = Stylesheet._parse_rules

    def parse_rules(self: Stylesheet, css: str, read_from: Any, is_default_rules: bool = False,
                    tie_breaker: int = 0, scope: str = "") -> list[RuleSet]:
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(sorted(self._variables.items())))
        rules = _parsed.get(key)
        if rules is None:  # a parse that fails raises here and is not kept
            rules = _parsed[key] = parse_once(self, css, read_from, is_default_rules, tie_breaker, scope)
        return rules

    Stylesheet._parse_rules = parse_rules  # type: ignore[method-assign]
    try:
        yield
    finally:
        Stylesheet._parse_rules = parse_once  # type: ignore[method-assign]
