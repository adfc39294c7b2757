"""A throwaway OpenSSH server on a free loopback port, as remote support reaches a desk.

Everything lives in one temp dir under /tmp: host key, client key, authorized_keys, config,
pid file, log. The server accepts only that client key, only on 127.0.0.1, and runs in the
foreground (``-D -e``) so stopping it is stopping one process we started (see
docs/testing.md for why it looks like this).
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.support.ports import free_port

SSHD = Path("/usr/sbin/sshd")


class Sshd:
    def __init__(self) -> None:
        for tool in (str(SSHD), "ssh", "ssh-keygen"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is not installed (bash scripts/system-deps installs openssh)")
        self.dir = Path(tempfile.mkdtemp(prefix="desk-sshd.", dir="/tmp"))
        self.user = getpass.getuser()
        self.host_key = self.dir / "ssh_host_ed25519_key"
        self.client_key = self.dir / "id_ed25519"
        self.config = self.dir / "sshd_config"
        self.log = self.dir / "sshd.log"
        self.port = 0
        self._proc: subprocess.Popen | None = None

    def _keygen(self, path: Path) -> None:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True,
                       capture_output=True)

    def _write_config(self) -> None:
        self.config.write_text("\n".join([
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self.host_key}",
            f"PidFile {self.dir / 'sshd.pid'}",
            f"AuthorizedKeysFile {self.dir / 'authorized_keys'}",
            f"AllowUsers {self.user}",
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "UseDNS no",
            "PrintMotd no",
            "PrintLastLog no",
            # What a Debian desk's sshd passes on (AcceptEnv LANG LC_*): a UTF-8 locale.
            "SetEnv LANG=C.UTF-8",
            "LogLevel ERROR",
            "",
        ]))

    def start(self, timeout: float = 10.0) -> Sshd:
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation dir
        self._keygen(self.host_key)
        self._keygen(self.client_key)
        shutil.copy(self.client_key.with_suffix(".pub"), self.dir / "authorized_keys")
        last_error = ""
        for _attempt in range(5):  # the free port can be taken between our probe and sshd's bind
            self.port = free_port()
            self._write_config()
            with open(self.log, "ab") as log:
                self._proc = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(self.config)],
                                              stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            if self._wait_ready(timeout):
                return self
            self._proc.kill()
            self._proc.wait()
            last_error = self.log.read_text(errors="replace")
        raise RuntimeError(f"sshd did not start; its log:\n{last_error}")

    def _wait_ready(self, timeout: float) -> bool:
        """True once the server greets a client with its SSH banner; False if it died."""
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(64).startswith(b"SSH-"):
                        return True
            except OSError:
                pass
            pause.wait(0.02)
        return False

    def ssh_argv(self, remote_command: str | None = None) -> list[str]:
        """An ssh client command line with a terminal (``-t``) to this server."""
        argv = ["ssh", "-F", "/dev/null", "-p", str(self.port), "-i", str(self.client_key),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-t", f"{self.user}@127.0.0.1"]
        return argv + ([remote_command] if remote_command else [])

    def ssh_command(self, remote_command: str) -> str:
        return shlex.join(self.ssh_argv(remote_command))

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Sshd:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
