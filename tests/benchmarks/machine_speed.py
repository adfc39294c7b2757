"""How fast this machine's cores are: the CPU time of a fixed piece of Python (bench only).

The VM these benches run on changes speed by a half within seconds and reports almost none of it
as steal time: on an idle machine (session 17) the same 60,000 dictionary updates took 17 ms of
the thread's own CPU time in one second and 30 ms in the next, and one tree read 185 and 261
req/s in whole `make bench-api` runs a quarter of an hour apart (session 16). A capacity figure
without the machine's speed beside it cannot say whether the server or the machine changed, so
the benches run :class:`Gauge` beside what they measure: a process of its own that times the
reference work with its thread's CPU clock (a wait for a core does not count, a slower core
does) once a second, a few per cent of one core. More milliseconds: a slower machine.

``python -m tests.benchmarks.machine_speed`` prints one reading.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

#: seconds between two readings of the gauge
EVERY = 1.0


def _work() -> int:
    """Dictionary updates, string formatting and a sort: what a request's Python spends its time on."""
    counts: dict[str, int] = {}
    for i in range(60_000):
        key = f"k{i % 997}"
        counts[key] = counts.get(key, 0) + i
    return len(sorted(counts.items(), key=lambda kv: kv[1]))


def reading() -> float:
    """The CPU milliseconds of one run of the reference work in this thread (17–30 ms here)."""
    started = time.thread_time()
    _work()
    return (time.thread_time() - started) * 1000


class Gauge:
    """Readings once a second from a process of its own while the block runs; ``median`` after."""

    def __init__(self) -> None:
        self.readings: list[float] = []
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Gauge:
        self._proc = subprocess.Popen([sys.executable, "-m", __name__, "--every", str(EVERY)],
                                      stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None
        self._proc.terminate()
        out, _ = self._proc.communicate()
        self.readings = [float(x) for x in out.split()]

    @property
    def median(self) -> float:
        return statistics.median(self.readings) if self.readings else float("nan")

    def words(self) -> str:
        if not self.readings:
            return "no reading"
        return (f"median {self.median:.1f} ms, {min(self.readings):.0f}–{max(self.readings):.0f} "
                f"({len(self.readings)} readings)")


def main() -> None:
    if sys.argv[1:2] != ["--every"]:
        print(f"{reading():.2f}")
        return
    every = float(sys.argv[2])
    while True:  # until terminated
        print(f"{reading():.2f}", flush=True)
        time.sleep(every)


if __name__ == "__main__":
    main()
