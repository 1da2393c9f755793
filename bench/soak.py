"""Soak test: cast for a while against gunicorn, then check that nothing was lost or doubled.

    python -m bench.soak --minutes 5 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Two gunicorn worker processes (gthread, 4 threads each) on 127.0.0.1, as many client
threads, distinct polling codes until the time or the codes run out. Afterwards:
every receipt verifies against /keys.json; ballots, participation marks and receipts are
equal in number and the receipts' tracking codes are exactly the stored ones; codes used
once more are refused and store nothing; the workers' memory stayed flat. Exits 1 if any
check fails. On PostgreSQL it works in the schema ``bench`` of the given database.
"""

import argparse
import base64
import http.client
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ballots.keys import read_signer
from ballots.models import Ballot, Participation
from ballots.receipts import ReceiptError, b64url_decode, verify_receipt
from bench.database import ANSWERS, SLUG, backend, fresh_database, open_consultation
from bench.database import server_environment as environment
from bench.load import run_load
from bench.server import HOST, gunicorn, rss_kib
from voting.core.db import make_engine

RECEIPT = re.compile(rb'href="data:application/json;base64,([^"]+)"')
# Growth of a worker's memory from the first to the last fifth of the run that still
# counts as flat: allocator noise and caches filling, not a leak.
FLAT_MIB = 10.0
# A soak is bounded: it is meant for a test machine's loopback, not as a load generator.
MAX_MINUTES = 60
MAX_VOTERS = 1_000_000
WARM_CASTS = 100


def receipt_of(page: bytes) -> dict[str, Any] | None:
    """Return the receipt a receipt page offers for download."""
    match = RECEIPT.search(page)
    return json.loads(base64.b64decode(match.group(1))) if match else None


@dataclass
class MemorySampler:
    """Samples the resident memory of the server's workers once a second."""

    pids: list[int]
    samples: dict[int, list[tuple[float, int]]] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        start = time.monotonic()
        while not self.stop.is_set():
            for pid in self.pids:
                self.samples.setdefault(pid, []).append((time.monotonic() - start, rss_kib(pid)))
            self.stop.wait(1.0)

    def growth_mib(self) -> dict[int, tuple[float, float, float]]:
        """Return per worker: median MiB in the first fifth, in the last fifth, and the growth."""
        result = {}
        for pid, series in self.samples.items():
            values = [kib for _, kib in series if kib]
            fifth = max(1, len(values) // 5)
            early = statistics.median(values[:fifth]) / 1024
            late = statistics.median(values[-fifth:]) / 1024
            result[pid] = (early, late, late - early)
        return result


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _stored(url: str) -> tuple[int, int, set[str]]:
    engine = make_engine(url)
    with Session(engine) as session:
        ballots = session.execute(select(func.count()).select_from(Ballot)).scalar_one()
        marks = session.execute(select(func.count()).select_from(Participation)).scalar_one()
        codes = set(session.execute(select(Ballot.tracking_code)).scalars())
    engine.dispose()
    return ballots, marks, codes


def soak(database_url: str, *, seconds: float, voters: int) -> list[tuple[str, bool, str]]:
    """Run the soak; return the checks as (name, passed, detail)."""
    checks: list[tuple[str, bool, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        instance = Path(tmp)
        url = fresh_database(database_url or f"sqlite:///{instance / 'soak.db'}")
        env = environment(instance, url)
        codes = open_consultation(
            url, voters, env["VOTING_PSEUDONYM_KEY"], read_signer(env["VOTING_SIGNING_KEY_PATH"])
        )
        path = f"/consultations/{SLUG}/vote"
        with gunicorn("voting.app:create_app()", env, workers=2, threads=4) as server:
            cast = {
                "form_path": path,
                "post_path": path,
                "form": lambda code: {"code": code, **ANSWERS},
                "warmup": 0,
                "connections": 8,
                "keep": receipt_of,
            }
            # Warm every worker first (templates, catalogues, connection pools), so memory
            # is compared from a steady state; these casts are checked like all others.
            warm = run_load(server.port, codes=codes[:WARM_CASTS], seconds=60, **cast)
            sampler = MemorySampler(server.worker_pids())
            sampling = threading.Thread(target=sampler.run)
            sampling.start()
            try:
                load = run_load(server.port, codes=codes[WARM_CASTS:], seconds=seconds, **cast)
            finally:
                sampler.stop.set()
                sampling.join()
            status, body = _get(server.port, "/keys.json")
            keys = {k["key_id"]: b64url_decode(k["public_key"]) for k in json.loads(body)["keys"]}
            samples = warm.samples + load.samples
            errors = warm.errors + load.errors
            accepted = [sample for sample in samples if sample.status == 200]
            used = len(samples) + len(errors)
            before = _stored(url)
            again = run_load(
                server.port,
                form_path=path,
                post_path=path,
                form=lambda code: {"code": code, **ANSWERS},
                codes=codes[: min(20, used)],
                seconds=30,
                warmup=0,
                connections=2,
            )
            workers_after = server.worker_pids()
        ballots, marks, tracking_codes = _stored(url)

    receipts = [s.kept for s in accepted]
    bad = 0
    for receipt in receipts:
        try:
            verify_receipt(receipt, keys)
        except (ReceiptError, TypeError):
            bad += 1
    others = {s.status for s in samples} - {200}
    checks.append(
        (
            "every cast answered 200 with a receipt",
            not others and not errors and None not in receipts,
            f"{len(accepted)} accepted ({len(warm.samples)} to warm up, then "
            f"{len(load.ok()) / load.duration:.1f}/s for {load.duration:.0f} s), "
            f"other statuses {sorted(others)}, {len(errors)} failed requests"
            + (", codes ran out" if load.ran_out else ""),
        )
    )
    checks.append(
        (
            "every receipt verifies against /keys.json",
            bad == 0 and status == 200,
            f"{len(receipts) - bad} of {len(receipts)} verify",
        )
    )
    receipt_codes = {r["tracking_code"] for r in receipts if r}
    checks.append(
        (
            "no lost or doubled ballot",
            ballots == marks == len(receipts) == len(receipt_codes)
            and receipt_codes == tracking_codes,
            f"{ballots} ballots, {marks} participation marks, {len(receipts)} receipts, "
            f"{len(receipt_codes & tracking_codes)} tracking codes in both",
        )
    )
    refused = [s.status for s in again.samples]
    checks.append(
        (
            "a code used again is refused and stores nothing",
            set(refused) <= {409} and not again.errors and _counts(before) == (ballots, marks),
            f"{len(refused)} repeated codes: statuses {sorted(set(refused))}",
        )
    )
    growth = sampler.growth_mib()
    checks.append(
        (
            "worker memory flat",
            bool(growth)
            and all(g < FLAT_MIB for _, _, g in growth.values())
            and workers_after == sampler.pids,
            "; ".join(
                f"worker {pid}: {early:.1f} → {late:.1f} MiB ({g:+.1f})"
                for pid, (early, late, g) in growth.items()
            )
            + ("" if workers_after == sampler.pids else "; a worker was restarted"),
        )
    )
    return checks


def _counts(stored: tuple[int, int, set[str]]) -> tuple[int, int]:
    return stored[0], stored[1]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, soak, print the checks; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--voters", type=int, default=100000, help="upper bound of casts")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary dir")
    args = parser.parse_args(argv)
    if not (0 < args.minutes <= MAX_MINUTES and 0 < args.voters <= MAX_VOTERS):
        parser.error(f"--minutes up to {MAX_MINUTES}, --voters up to {MAX_VOTERS}")
    label = backend(args.database_url) if args.database_url else "sqlite"
    print(f"soak on {label}: gunicorn gthread 2 workers × 4 threads, {args.minutes:g} min")
    checks = soak(args.database_url, seconds=args.minutes * 60, voters=args.voters)
    for name, passed, detail in checks:
        print(f"{'ok  ' if passed else 'FAIL'} {name}: {detail}")
    return 0 if all(passed for _, passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
