"""Is a process still there? Shared by the app (joining the demo server) and the demo server
(counting the apps that use it): a leaf module both sides may import.

psutil, not ``os.kill(pid, 0)`` and ``/proc``: the same answer on Linux, macOS and Windows
(where signal 0 would end the process instead of probing it).
"""

from __future__ import annotations


def pid_alive(pid: int) -> bool:
    import psutil  # only when the demo server is joined or counts its apps: not on a desk's start

    try:
        # A zombie has exited; only its parent has not collected it yet.
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # someone else's process, but there
