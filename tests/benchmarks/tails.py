"""Where a phase's slow answers spent their time, from the desks' clocks and the server's
Server-Timing figures (tests/benchmarks/timed_server.py), and what PostgreSQL did meanwhile.

An answer's time splits into: *before* the application saw it (the desk's send to the app's
entry, one clock: the kernel, uvicorn, a worker's event loop or interpreter lock busy with other
requests), the application's own time (statements, pool checkout, thread hand-offs, garbage
collections, and the rest: Python running or waiting for the lock), and *after* (the answer's
first byte to the desk having it all).

Then the statements' time ("sql", the worker's clock around the driver's execute) is taken apart
(schedstat, tests/benchmarks/schedstat.py): the PostgreSQL backend's CPU, its wait for a core
("pg runq"), the worker thread's wait for a core after the answer arrived ("runq"), and the rest
("asleep": the backend waiting on a lock or a disk, or the worker thread on the interpreter
lock); beside it what PostgreSQL itself logged for that backend while the answer was out: its
slowest statement by its own clock (only those of ``SLOW_STATEMENT_MS`` or more are logged) and
any lock wait. The same split over every answer of the phase shows what is ordinary.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from tests.benchmarks.api_desks import Sent
from tests.benchmarks.pg_maintenance import SLOW_STATEMENT_MS, Logged, Work

#: what counts as slow for the endpoints without a target of their own
SLOW_MS = 50.0
#: a garbage collection worth counting in a slow answer
GC_MS = 10.0

_PARTS = ("before", "sql", "pool", "thread", "gc", "app rest", "after")
_SQL_PARTS = ("pg cpu", "pg runq", "runq", "asleep")
_THREAD_PARTS = ("cpu", "runq", "pg", "lock+")


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


def sql_split(s: Sent) -> dict[str, float] | None:
    """An answer's statement time in ms by part (see the module), or None without schedstat."""
    t = s.server
    if t is None or "pgcpu" not in t:
        return None
    known = {"pg cpu": t["pgcpu"], "pg runq": t["pgrunq"], "runq": t["runq"]}
    return {"sql": t["sql"], **known, "asleep": max(0.0, t["sql"] - sum(known.values()))}


def thread_split(s: Sent) -> dict[str, float] | None:
    """The request's time in route threads (ms): their CPU, their wait for a core, PostgreSQL's time
    (the backend's CPU and wait for a core), and the rest ("lock+": asleep for another reason, the
    interpreter lock above all; also a PostgreSQL lock wait or disk read, which its log shows)."""
    t = s.server
    if t is None or "twall" not in t:
        return None
    known = {"cpu": t["tcpu"], "runq": t["trunq"], "pg": t["pgcpu"] + t["pgrunq"]}
    return {"wall": t["twall"], **known, "lock+": max(0.0, t["twall"] - sum(known.values()))}


def _logged_for(s: Sent, logged: Sequence[Logged]) -> tuple[float | None, float]:
    """PostgreSQL's slowest logged statement for ``s``'s backend while it was out, and its lock waits (ms)."""
    if not s.server or not s.server.get("pgpid"):
        return None, 0.0
    pid, until = int(s.server["pgpid"]), s.at + s.took + 0.002  # the log's stamps are in whole ms
    mine = [x for x in logged if x.pid == pid and s.at - 0.002 <= x.end <= until]
    statements = [x.ms for x in mine if x.what == "statement"]
    return (max(statements) if statements else None), sum(x.ms for x in mine if x.what == "lock acquired") or \
        sum(x.ms for x in mine if x.what == "lock waiting")


def sql_report(slow: Sequence[Sent], sent: Sequence[Sent], logged: Sequence[Logged]) -> list[str]:
    """The slow answers' statement time taken apart, per endpoint and for the ten slowest."""
    def row(label: str, answers: Sequence[Sent]) -> str | None:
        parts = [p for s in answers if (p := sql_split(s))]
        whole = sum(p["sql"] for p in parts)
        if not parts or whole <= 0:
            return None
        found = [_logged_for(s, logged) for s in answers]
        over = sum(1 for ms, _ in found if ms is not None)
        locked = sum(1 for _, lock in found if lock)
        return (f"{label:<22}{len(parts):>6}{statistics.median(p['sql'] for p in parts):>9.1f}"
                + "".join(f"{100 * sum(p[k] for p in parts) / whole:>9.0f}%" for k in _SQL_PARTS)
                + f"{over:>10}{locked:>8}")
    lines = [f"\nthe statements' time (sql) taken apart; pg ≥ {SLOW_STATEMENT_MS:g} ms: answers with a statement "
             f"PostgreSQL itself took that long; locks: answers that waited on a lock",
             f"{'answers':<22}{'n':>6}{'sql ms':>9}" + "".join(f"{p:>10}" for p in _SQL_PARTS)
             + f"{'pg ≥ ' + format(SLOW_STATEMENT_MS, 'g') + ' ms':>10}{'locks':>8}"]
    for name in sorted({s.endpoint for s in slow}):
        if line := row(f"slow {name}", [s for s in slow if s.endpoint == name]):
            lines.append(line)
    for label, answers in (("all slow", slow), ("every answer", sent)):
        if line := row(label, answers):
            lines.append(line)
    lines += ["\nthe work in route threads taken apart (the thread's CPU, its wait for a core, PostgreSQL's "
              "CPU and wait, the rest: asleep, the interpreter lock above all)",
              f"{'answers':<22}{'n':>6}{'app ms':>9}{'thread ms':>10}" + "".join(f"{p:>10}" for p in _THREAD_PARTS)]
    groups = [(f"slow {name}", [s for s in slow if s.endpoint == name]) for name in sorted({s.endpoint for s in slow})]
    for label, answers in [*groups, ("all slow", slow), ("every answer", sent)]:
        parts = [(s, p) for s in answers if (p := thread_split(s)) and s.server]
        whole = sum(p["wall"] for _, p in parts)
        if parts and whole > 0:
            lines.append(f"{label:<22}{len(parts):>6}{statistics.median(s.server['app'] for s, _ in parts if s.server):>9.1f}"
                         f"{statistics.median(p['wall'] for _, p in parts):>10.1f}"
                         + "".join(f"{100 * sum(p[k] for _, p in parts) / whole:>9.0f}%" for k in _THREAD_PARTS))
    lines.append(f"\nthe ten slowest, their statements (ms; sqlmax = the slowest by the worker's clock, "
                 f"pg = the slowest PostgreSQL logged for that backend meanwhile, '<{SLOW_STATEMENT_MS:g}' if none)\n"
                 f"{'endpoint':<12}{'total':>8}{'sql':>8}{'sqlmax':>8}{'pg':>8}{'lock':>7}"
                 + "".join(f"{p:>10}" for p in _SQL_PARTS) + f"{'pid':>9}")
    for s in sorted(slow, key=lambda s: s.took, reverse=True)[:10]:
        p, t = sql_split(s), s.server
        if p is None or t is None:
            continue
        pg, lock = _logged_for(s, logged)
        lines.append(f"{s.endpoint:<12}{s.took * 1000:>8.1f}{p['sql']:>8.1f}{t['sqlmax']:>8.1f}"
                     + (f"{pg:>8.1f}" if pg is not None else f"{'<' + format(SLOW_STATEMENT_MS, 'g'):>8}")
                     + f"{lock:>7.0f}" + "".join(f"{p[k]:>10.1f}" for k in _SQL_PARTS) + f"{t['pgpid']:>9.0f}")
    return lines


def _beside(s: Sent, works: Sequence[Work]) -> str:
    """The PostgreSQL work (autovacuum, checkpoint) running while ``s`` was, if any."""
    return next((w.what for w in works if w.start <= s.at + s.took and w.end >= s.at), "")


def report(title: str, sent: Sequence[Sent], targets: dict[str, float], started: float,
           works: Sequence[Work], logged: Sequence[Logged] = ()) -> list[str]:
    """Lines: the share of each part in the slow answers' time, per endpoint, then the slowest ten,
    then their statements taken apart (``sql_report``). ``works``: PostgreSQL's own work meanwhile,
    named beside the answers it overlapped; ``logged``: its statements and lock waits per backend."""
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
    return lines + sql_report(slow, sent, logged)
