"""A bounded load client: threads posting one form each, with distinct codes, for a fixed time."""

import http.client
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench.server import HOST

TOKEN = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Sample:
    """One POST: when it started (seconds into the run), how long it took, its status.

    ``kept`` is what the caller's ``keep`` function took from a successful answer.
    """

    started: float
    seconds: float
    status: int
    kept: Any = None


@dataclass
class LoadResult:
    """The samples of a run and the window over which rates are computed."""

    samples: list[Sample]
    warmup: float
    duration: float
    errors: list[str] = field(default_factory=list)
    ran_out: bool = False

    def measured(self) -> list[Sample]:
        """Return the samples started after the warm-up."""
        return [s for s in self.samples if s.started >= self.warmup]

    def ok(self) -> list[Sample]:
        """Return every answered sample with status 200, warm-up included."""
        return [s for s in self.samples if s.status == 200]

    @property
    def rate(self) -> float:
        """Return successful POSTs per second after the warm-up."""
        window = self.duration - self.warmup
        return sum(1 for s in self.measured() if s.status == 200) / window if window > 0 else 0.0

    def percentile(self, share: float) -> float:
        """Return the latency in milliseconds that ``share`` of measured POSTs stay below."""
        times = sorted(s.seconds for s in self.measured() if s.status == 200)
        if not times:
            return float("nan")
        if share == 0.5:
            return statistics.median(times) * 1000
        return times[min(len(times) - 1, int(share * len(times)))] * 1000


class Arrivals:
    """The times at which voters arrive at a steady ``rate`` per second, from ``start`` on."""

    def __init__(self, start: float, rate: float) -> None:
        self._start = start
        self._interval = 1 / rate
        self._count = 0
        self._lock = threading.Lock()

    def next(self) -> float:
        """Return the next voter's arrival time (time.perf_counter's clock)."""
        with self._lock:
            self._count += 1
            return self._start + self._count * self._interval


class Codes:
    """Hand out each code once, to whichever thread asks."""

    def __init__(self, codes: Iterable[str]) -> None:
        self._codes: Iterator[str] = iter(codes)
        self._lock = threading.Lock()

    def next(self) -> str | None:
        with self._lock:
            return next(self._codes, None)


def _session(connection: http.client.HTTPConnection, form_path: str) -> tuple[str, str]:
    """GET the form once; return the session cookie and the CSRF token it holds."""
    connection.request("GET", form_path)
    response = connection.getresponse()
    page = response.read()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    match = TOKEN.search(page)
    if response.status != 200 or match is None:
        raise RuntimeError(f"GET {form_path}: {response.status}, no CSRF token")
    return cookie, (match.group(1) or match.group(2)).decode()


def run_load(
    port: int,
    *,
    form_path: str,
    post_path: str,
    form: Callable[[str], dict],
    codes: Iterable[str],
    seconds: float,
    warmup: float,
    connections: int,
    keep: Callable[[bytes], Any] | None = None,
    rate: float | None = None,
) -> LoadResult:
    """POST ``form(code)`` with each code at most once from ``connections`` threads.

    Without ``rate`` each thread posts again as soon as it has its answer (the most the
    server can take). With ``rate``, voters arrive at that many per second and a free
    thread serves the next; a voter's time counts from their arrival, so time spent
    waiting for a free thread is part of it.
    """
    pool = Codes(codes)
    samples: list[Sample] = []
    errors: list[str] = []
    ran_out = threading.Event()
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds
    arrivals = Arrivals(start, rate) if rate else None

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        mine: list[Sample] = []
        try:
            cookie, token = _session(connection, form_path)
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            while time.perf_counter() < deadline:
                code = pool.next()
                if code is None:
                    ran_out.set()
                    break
                body = urlencode({"csrf_token": token, **form(code)}, doseq=True)
                began = time.perf_counter()
                if arrivals is not None:
                    arrived = arrivals.next()
                    if arrived >= deadline:
                        break
                    if arrived > began:
                        time.sleep(arrived - began)
                    began = arrived
                try:
                    connection.request("POST", post_path, body, headers)
                    response = connection.getresponse()
                    page = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    # The code may or may not have been counted; the caller checks the database.
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=60)
                    continue
                ended = time.perf_counter()
                mine.append(
                    Sample(
                        began - start,
                        ended - began,
                        response.status,
                        keep(page) if keep and response.status == 200 else None,
                    )
                )
        except Exception as exc:  # a thread that dies must still be reported
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()
            with lock:
                samples.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = min(time.perf_counter(), deadline) - start
    return LoadResult(samples, min(warmup, duration / 2), duration, errors, ran_out.is_set())
