"""How the machine's cores were shared during a phase of `make bench-api`: the server's workers,
PostgreSQL, the load generator and everything else, read with psutil at the phase's start and end.

A process tree's CPU is each live process's user + system time plus what its reaped children
used (``children_user``/``children_system``): an autovacuum worker that ends during the phase
is then still counted, in its postmaster's figure. The generator is this process alone (the
server is its child, counted apart). "Everything else" is the machine's busy time less the
three: other sessions' tests on a shared machine, made visible rather than guessed at.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psutil


def tree_cpu(root: psutil.Process | None) -> float:
    if root is None:
        return 0.0
    total = 0.0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for p in processes:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def _machine_busy() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)


def postmaster(data_dir: Path | None) -> psutil.Process | None:
    """The cluster's postmaster (the first line of postmaster.pid), if the cluster is ours."""
    if data_dir is None or not (data_dir / "postmaster.pid").exists():
        return None
    return psutil.Process(int((data_dir / "postmaster.pid").read_text().split()[0]))


@dataclass(frozen=True)
class Sample:
    at: float
    server: float
    postgres: float
    generator: float
    machine: float


class CpuSplit:
    def __init__(self, server_pid: int, data_dir: Path | None) -> None:
        self.server = psutil.Process(server_pid)
        self.postgres = postmaster(data_dir)
        self.me = psutil.Process()

    def sample(self) -> Sample:
        mine = self.me.cpu_times()
        return Sample(time.monotonic(), tree_cpu(self.server), tree_cpu(self.postgres), mine.user + mine.system,
                      _machine_busy())


def others(start: Sample, end: Sample) -> float:
    """Cores the rest of the machine used meanwhile (other people's tests on a shared machine)."""
    return max(0.0, (end.machine - start.machine) - (end.server - start.server) - (end.postgres - start.postgres)
               - (end.generator - start.generator)) / (end.at - start.at)


def table(start: Sample, end: Sample, requests: int) -> list[str]:
    """The split as printed lines: cores used and CPU ms per request sent, for each part."""
    wall = end.at - start.at
    parts = {"server workers": end.server - start.server, "PostgreSQL": end.postgres - start.postgres,
             "load generator": end.generator - start.generator}
    parts["everything else"] = max(0.0, (end.machine - start.machine) - sum(parts.values()))
    parts["machine"] = end.machine - start.machine
    lines = [f"{'CPU split':<18}{'cores':>8}{'ms/request':>12}"]
    for name, cpu in parts.items():
        lines.append(f"{name:<18}{cpu / wall:>8.2f}{cpu * 1000 / max(1, requests):>12.1f}")
    lines.append(f"({requests} requests sent in {wall:.1f} s, {psutil.cpu_count()} cores; load average at the end "
                 f"{psutil.getloadavg()[0]:.1f})")
    return lines
