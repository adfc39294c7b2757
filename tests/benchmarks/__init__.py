"""`make bench`: how fast desk-tui starts and how light it is, next to a minimal Textual app.

Not part of the test suite (pytest ignores this folder). Run ``python -m tests.benchmarks``.
"""
