"""Where a phase's slow answers spent their time, from the desks' clocks and the server's
Server-Timing figures (tests/benchmarks/timed_server.py), and what PostgreSQL did meanwhile.

An answer's time splits into: *before* the application saw it (the desk's send to the app's
entry, one clock: the kernel, uvicorn, a worker's event loop or interpreter lock busy with other
requests), the application's own time (statements, pool checkout, thread hand-offs, garbage
collections, and the rest: Python running or waiting for the lock), and *after* (the answer's
first byte to the desk having it all).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from tests.benchmarks.api_desks import Sent
from tests.benchmarks.pg_maintenance import Work

#: what counts as slow for the endpoints without a target of their own
SLOW_MS = 50.0
#: a garbage collection worth counting in a slow answer
GC_MS = 10.0

_PARTS = ("before", "sql", "pool", "thread", "gc", "app rest", "after")


def split(s: Sent) -> dict[str, float] | None:
    """One answer's time in ms by part (see the module), or None without the server's figures."""
    t = s.server
    if t is None:
        return None
    total = s.took * 1000
    before = max(0.0, t["in"] - s.at * 1000)
    after = max(0.0, total - before - t["app"])
    rest = max(0.0, t["app"] - t["sql"] - t["pool"] - t["thread"] - t["gc"])
    # a collection that stopped the worker while the request waited to reach the app
    waited_gc = 0.0
    if s.at * 1000 < t["lastgcend"] <= t["in"]:
        waited_gc = min(t["lastgc"], t["lastgcend"] - s.at * 1000, before)
    return {"total": total, "before": before - waited_gc, "sql": t["sql"], "pool": t["pool"], "thread": t["thread"],
            "gc": t["gc"] + waited_gc, "app rest": rest, "after": after}


def _beside(s: Sent, works: Sequence[Work]) -> str:
    """The PostgreSQL work (autovacuum, checkpoint) running while ``s`` was, if any."""
    return next((w.what for w in works if w.start <= s.at + s.took and w.end >= s.at), "")


def report(title: str, sent: Sequence[Sent], targets: dict[str, float], started: float,
           works: Sequence[Work]) -> list[str]:
    """Lines: the share of each part in the slow answers' time, per endpoint, then the slowest ten.
    ``works``: PostgreSQL's own work meanwhile, named beside the answers it overlapped."""
    slow = [s for s in sent if s.took * 1000 > targets.get(s.endpoint, SLOW_MS) and s.server is not None]
    lines = [f"\n{title}: answers over their target (calendar 80 ms, others 50), where the time went"]
    if not slow:
        return [*lines, "  none (or no Server-Timing: BENCH_STOPWATCH=0)"]
    lines.append(f"{'endpoint':<12}{'slow':>6}{'of':>6}{'median ms':>11}" + "".join(f"{p:>10}" for p in _PARTS)
                 + f"{'gc≥10ms':>9}{'hk sql':>8}{'pg work':>9}")
    counted: dict[str, int] = {}
    for s in sent:
        counted[s.endpoint] = counted.get(s.endpoint, 0) + 1
    for name in sorted({s.endpoint for s in slow}):
        mine = [s for s in slow if s.endpoint == name]
        parts = [split(s) or {} for s in mine]
        whole = sum(p["total"] for p in parts)
        shares = "".join(f"{100 * sum(p[k] for p in parts) / whole:>9.0f}%" for k in _PARTS)
        collected = sum(1 for p in parts if p["gc"] >= GC_MS)
        housekeeping = sum(1 for s in mine if s.server and s.server["background"] > 0)
        beside = sum(1 for s in mine if _beside(s, works))
        lines.append(f"{name:<12}{len(mine):>6}{counted[name]:>6}{statistics.median(p['total'] for p in parts):>11.1f}"
                     f"{shares}{collected:>9}{housekeeping:>8}{beside:>9}")
    lines.append(f"\nthe ten slowest (ms; at = seconds into the phase; n = statements; busy = requests "
                 f"already in that worker)\n{'endpoint':<12}{'at':>6}{'total':>8}" + "".join(f"{p:>10}" for p in _PARTS)
                 + f"{'n':>4}{'busy':>6}  last gc, PostgreSQL meanwhile")
    for s in sorted(slow, key=lambda s: s.took, reverse=True)[:10]:
        p = split(s) or {}
        assert s.server is not None
        lines.append(f"{s.endpoint:<12}{s.at - started:>6.1f}{p['total']:>8.1f}" + "".join(f"{p[k]:>10.1f}" for k in _PARTS)
                     + f"{s.server['statements']:>4.0f}{s.server['busy']:>6.0f}  "
                     f"gen {s.server['lastgen']:.0f} {s.server['lastgc']:.0f} ms (CPU {s.server['lastgccpu']:.0f})  "
                     f"{_beside(s, works)}")
    return lines
