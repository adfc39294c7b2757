"""The client side's I/O: settings, the HTTP client, the cache, tokens.

httpx imports its command-line tool (``httpx._main``: click, pygments, rich's progress and
syntax) whenever click is installed, and uvicorn installs it: ≈2.7 MiB and tens of ms at every
start of the app, for a tool this process never runs. A ``None`` in ``sys.modules`` makes that
one import fail, and httpx then falls back to a stub ``main`` (its own ``except ImportError``).
The ``httpx`` command itself runs in its own process and is not affected.
"""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
