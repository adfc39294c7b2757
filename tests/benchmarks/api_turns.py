"""`make bench-api-turns`: the desk mix's capacity (phase B of `make bench-api`) of this checkout
against other checkouts, in turns on one data set.

This machine's speed moves by a third within minutes (session 16: one tree read 185 and 261 req/s
in whole `make bench-api` runs a quarter of an hour apart), so two whole runs one after the other
compare two minutes of the machine more than two trees. Here every tree is served at once by
`desk-tui serve --workers 2` on the same 100,000-customer PostgreSQL data set (``BENCH_CUSTOMERS``),
idle until its turn, and each round gives every tree ``TURN_SECONDS`` (default 15) of fifty desks
without pause in turn; ``TURN_ROUNDS`` rounds (default 4), the order of the trees reversed every
other round. It prints each tree's median answers a second and its range, its ratio to this
checkout's median, the server's and PostgreSQL's CPU per answer, and the machine's speed during
each turn (tests/benchmarks/machine_speed.py: more milliseconds, a slower machine).

``ARGS="--against DIR"`` (repeatable): another checkout's root, whose ``src`` goes first on its
server's PYTHONPATH (its schema must be this one's: the trees share the database);
``DIR,NAME=VALUE,…`` also sets those variables for that server (``--against .,DESK_SERVER_DESK_THREADS=3``:
this checkout with another setting); ``DIR,workers=3`` serves that tree with three workers; ``TURN_PAUSE=5`` (seconds, default 0) makes the turns phase
A's instead (each desk pausing 0–2× that after each task; make the turns longer, ``TURN_SECONDS=40``,
or few answers are counted) and prints each tree's p99s, pooled over its turns; ``DIR,stopwatch`` serves that tree through `make bench-api`'s
stopwatch (tests/benchmarks/timed_server.py), to see what the stopwatch costs. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import os
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tests.benchmarks.api_desks import Desks, run, settled_heap
from tests.benchmarks.api_load import CLIENTS, CUSTOMERS, build, sign_in
from tests.benchmarks.cpu_split import CpuSplit
from tests.benchmarks.machine_speed import Gauge
from tests.support.postgres import PostgresCluster
from tests.support.served import ServedAPI, checkout_env

SECONDS = float(os.environ.get("TURN_SECONDS", "15"))
ROUNDS = int(os.environ.get("TURN_ROUNDS", "4"))
PAUSE = float(os.environ.get("TURN_PAUSE", "0"))


@dataclass
class Tree:
    name: str
    served: ServedAPI
    split: CpuSplit
    tokens: list[str]
    #: per turn: answers a second, server CPU ms and PostgreSQL CPU ms per answer, cores in use,
    #: the machine's reference work (ms, the median of the turn's readings)
    turns: list[tuple[float, float, float, float, float]] = field(default_factory=list)
    #: answers that were refusals (a slot taken by another desk: 409) or no answer at all, every turn's
    failed: int = 0
    #: every counted answer's time (s) per endpoint, over all turns
    timings: dict[str, list[float]] = field(default_factory=dict)


def turn(tree: Tree, days: list[str]) -> None:
    with Gauge() as gauge, settled_heap():
        start = tree.split.sample()
        seen = run(Desks(tree.served.url, tree.tokens, SECONDS, PAUSE, CUSTOMERS, days))
        end = tree.split.sample()
    # counted answers only: each desk's first round fills the worker's caches (api_desks.py)
    answered = sum(len(v) for v in seen.timings.values())  # as make bench-api counts capacity
    tree.failed += sum(n for reasons in seen.failures.values() for n in reasons.values())
    for name, values in seen.timings.items():
        tree.timings.setdefault(name, []).extend(values)
    per = 1000 / max(1, answered)
    tree.turns.append((answered / SECONDS, (end.server - start.server) * per, (end.postgres - start.postgres) * per,
                       (end.machine - start.machine) / (end.at - start.at), gauge.median))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", action="append", default=[], metavar="DIR")
    args = parser.parse_args()
    roots: list[tuple[str, Path | None, dict[str, str], str]] = [("this checkout", None, {}, "desk_tui")]
    for against in args.against:
        root, *settings = against.split(",")
        module = "tests.benchmarks.timed_server" if "stopwatch" in settings else "desk_tui"
        roots.append((against, Path(root).resolve() / "src",
                      dict(x.split("=", 1) for x in settings if x != "stopwatch"), module))
    today = date.today()
    days = [(today + timedelta(days=d)).isoformat() for d in range(-3, 8)]  # the demo's appointments
    cluster = PostgresCluster().start()
    trees: list[Tree] = []
    try:
        url = cluster.create_database()
        print(f"data set: {CUSTOMERS:,} customers, built in {build(url, CUSTOMERS)}", flush=True)
        data = cluster.dir / "data" if cluster.dir else None
        for name, src, settings, module in roots:
            workers = int(settings.pop("workers", "2"))
            served = ServedAPI(url, workers=workers, demo=False, env={**settings, **checkout_env(src)},
                               module=module).start()
            assert served.proc is not None
            trees.append(Tree(name, served, CpuSplit(served.proc.pid, data),
                              [sign_in(served.url) for _ in range(CLIENTS)]))
        for r in range(ROUNDS):
            for tree in trees if r % 2 == 0 else reversed(trees):
                turn(tree, days)
            print(f"round {r + 1}/{ROUNDS} done", flush=True)
    finally:
        for tree in trees:
            tree.served.stop()
        cluster.stop()
    pace = f"with a {PAUSE:g} s pause" if PAUSE else "without pause"
    print(f"\n{CLIENTS} desks {pace}, 2 workers each unless named; medians of {ROUNDS} turns of {SECONDS:g} s per tree, "
          "the trees in turns (reversed every other round)")
    width = max(len(t.name) for t in trees)
    print(f"{'tree':<{width}}{'req/s':>8}{'range':>12}{'× this':>8}{'server ms':>11}{'PG ms':>7}{'cores':>7}{'ref ms':>8}{'failed':>8}  req/s per turn")
    mine = statistics.median(x[0] for x in trees[0].turns) if trees and trees[0].turns else 1.0
    for tree in trees:
        if not tree.turns:
            continue
        rate, server, pg, cores, speed = (statistics.median(x[i] for x in tree.turns) for i in range(5))
        spread = f"{min(x[0] for x in tree.turns):.0f}–{max(x[0] for x in tree.turns):.0f}"
        each = " ".join(f"{x[0]:.0f}" for x in tree.turns)
        print(f"{tree.name:<{width}}{rate:>8.0f}{spread:>12}{rate / mine if mine else float('nan'):>8.2f}{server:>11.2f}{pg:>7.2f}{cores:>7.2f}{speed:>8.1f}{tree.failed:>8}  {each}")

    if PAUSE:
        print(f"\np99 ms with a {PAUSE:g} s pause, pooled over each tree's turns (the endpoint's answers counted)")
        names = sorted({name for tree in trees for name in tree.timings})
        print(f"{'tree':<{width}}{'all':>8}" + "".join(f"{name:>11}" for name in names))
        for tree in trees:
            every = [x for values in tree.timings.values() for x in values]
            print(f"{tree.name:<{width}}{p99(every):>8.1f}"
                  + "".join(f"{p99(tree.timings.get(name, [])):>7.1f} {len(tree.timings.get(name, [])):>3}"
                            for name in names))


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] * 1000 if len(values) > 1 else float("nan")


if __name__ == "__main__":
    main()
