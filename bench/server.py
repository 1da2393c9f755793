"""A gunicorn server on the loopback interface for the length of a benchmark."""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"  # production's settings, its access log included
HOST = "127.0.0.1"  # never anything else: benchmarks load this machine only


@dataclass
class Server:
    """A running gunicorn master and the port it serves on."""

    port: int
    process: subprocess.Popen

    def worker_pids(self) -> list[int]:
        """Return the process ids of the master's workers."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent pid is the second field after the parenthesised command name.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)


def rss_kib(pid: int) -> int:
    """Return a process's resident set size in KiB, 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pids: list[int]) -> float:
    """Return the CPU time (user and system) the processes have used so far, in seconds."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """Return a TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _answers(port: int, path: str) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def gunicorn(
    app: str,
    environment: dict[str, str],
    *,
    workers: int = 2,
    threads: int = 4,
    ready_path: str = "/",
) -> Iterator[Server]:
    """Run ``app`` under gunicorn (gthread) on 127.0.0.1 until the block ends."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(CONFIG),
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        app,
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            server = Server(port, process)
            # Ready when it answers and every worker has started (the first may answer alone).
            while not _answers(port, ready_path) or len(server.worker_pids()) < workers:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn did not start:\n{log.read().decode()[-3000:]}")
                time.sleep(0.1)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
