"""Casting over HTTP: votes per second and latency, beside a minimal Flask app's inserts.

    python -m bench.casting [--rounds 3] [--seconds 10] [--database-url postgresql+psycopg://…/bench]

Both apps run side by side under the same gunicorn (gthread, 2 workers × 4 threads) on
127.0.0.1 and are loaded in turn, baseline then casting, round after round: the ratio of
each round compares two runs a few seconds apart, and the median over the rounds is the
figure to quote. The load client posts distinct polling codes from as many threads as
the server has (``--connections``), each as soon as it has its answer, or serves voters
arriving at a steady ``--rate``. On PostgreSQL the benchmark works in the schema
``bench`` of the given database.
"""

import argparse
import collections
import itertools
import json
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from ballots.keys import read_signer
from ballots.models import Ballot, Participation
from bench.baseline_app import create_table
from bench.database import ANSWERS, SLUG, backend, fresh_database, open_consultation
from bench.database import server_environment as environment
from bench.load import LoadResult, run_load
from bench.server import cpu_seconds, gunicorn
from voting.core.db import make_engine


@dataclass
class Round:
    """One round: the baseline's load, then casting's, with the workers' CPU per POST."""

    baseline: LoadResult
    casting: LoadResult
    # Server CPU milliseconds per answered POST: steadier than rates on a shared machine.
    baseline_cpu_ms: float
    casting_cpu_ms: float

    @property
    def ratio(self) -> float:
        """Return casting's rate as a share of the baseline's."""
        return self.casting.rate / self.baseline.rate if self.baseline.rate else 0.0


@dataclass
class CastingRun:
    """What the rounds measured, and what the database holds afterwards."""

    rounds: list[Round]
    ballots: int
    marks: int

    @property
    def median_ratio(self) -> float:
        """Return the median over the rounds of casting's rate as a share of the baseline's."""
        return statistics.median(r.ratio for r in self.rounds)

    def receipts(self) -> int:
        """Return how many casts were answered with a receipt, in every round."""
        return sum(len(r.casting.ok()) for r in self.rounds)


def measure(
    database_url: str,
    *,
    seconds: float,
    voters: int,
    rounds: int = 3,
    workers: int = 2,
    threads: int = 4,
    connections: int | None = None,
    warmup: float | None = None,
    rate: float | None = None,
) -> CastingRun:
    """Load the baseline, then casting, for ``seconds`` each, ``rounds`` times."""
    connections = connections or workers * threads
    warmup = min(2.0, seconds / 5) if warmup is None else warmup
    with tempfile.TemporaryDirectory(prefix="bench-casting-") as tmp:
        instance = Path(tmp)
        url = database_url or f"sqlite:///{instance / 'bench.db'}"
        url = fresh_database(url)
        env = environment(instance, url)
        codes = iter(
            open_consultation(
                url,
                voters,
                env["VOTING_PSEUDONYM_KEY"],
                read_signer(env["VOTING_SIGNING_KEY_PATH"]),
            )
        )
        # The baseline's rows need a distinct value each too, and as many as it can take.
        baseline_codes = (f"BASE-{i}" for i in itertools.count())
        content = json.dumps(ANSWERS)
        create_table(url)
        path = f"/consultations/{SLUG}/vote"
        loads = (
            ("/", "/cast", lambda code: {"code": code, "content": content}, baseline_codes),
            (path, path, lambda code: {"code": code, **ANSWERS}, codes),
        )
        results: list[Round] = []
        with (
            gunicorn("bench.baseline_app:create_app()", env, workers=workers, threads=threads) as b,
            gunicorn("voting.app:create_app()", env, workers=workers, threads=threads) as c,
        ):
            for _ in range(rounds):
                measured = []
                for server, (form_path, post_path, form, pool) in zip((b, c), loads, strict=True):
                    cpu = cpu_seconds(server.worker_pids())
                    load = run_load(
                        server.port,
                        form_path=form_path,
                        post_path=post_path,
                        form=form,
                        codes=pool,
                        seconds=seconds,
                        warmup=warmup,
                        connections=connections,
                        rate=rate,
                    )
                    used = cpu_seconds(server.worker_pids()) - cpu
                    measured.append((load, _per_request(used, load)))
                (baseline, baseline_cpu), (casting, casting_cpu) = measured
                results.append(Round(baseline, casting, baseline_cpu, casting_cpu))
        engine = make_engine(url)
        with Session(engine) as session:
            ballots = session.execute(select(func.count()).select_from(Ballot)).scalar_one()
            marks = session.execute(select(func.count()).select_from(Participation)).scalar_one()
        engine.dispose()
    return CastingRun(results, ballots, marks)


def _per_request(cpu: float, result: LoadResult) -> float:
    return cpu * 1000 / len(result.samples) if result.samples else float("nan")


def report(run: CastingRun, label: str) -> str:
    """Return the figures as a small table, a row per round, with the ratio to the baseline."""
    first = run.rounds[0].baseline
    lines = [
        f"casting over HTTP on {label}: gunicorn gthread; {len(run.rounds)} rounds of "
        f"{first.duration:.0f} s baseline, then {first.duration:.0f} s casting; "
        f"the first {first.warmup:.1f} s of each not counted",
        f"{'':7}{'per s':>17}{'':6}{'median ms':>15}{'p99 ms':>17}{'CPU ms':>15}",
        f"{'round':7}{'baseline':>10}{'casting':>9}{'ratio':>7}" + f"{'base → cast':>17}" * 3,
    ]
    for number, r in enumerate(run.rounds, 1):
        b, c = r.baseline, r.casting
        lines.append(
            f"{number:<7}{b.rate:10.1f}{c.rate:9.1f}{r.ratio:7.2f}"
            f"{b.percentile(0.5):8.1f} → {c.percentile(0.5):6.1f}"
            f"{b.percentile(0.99):8.1f} → {c.percentile(0.99):6.1f}"
            f"{r.baseline_cpu_ms:8.2f} → {r.casting_cpu_ms:6.2f}"
        )
    ratios = sorted(r.ratio for r in run.rounds)
    lines.append(
        f"median ratio casting / baseline: {run.median_ratio:.2f} "
        f"(rounds {ratios[0]:.2f} to {ratios[-1]:.2f})"
    )
    lines.append("(CPU ms: the server workers' CPU time per answered POST)")
    for name in ("baseline", "casting"):
        loads = [getattr(r, name) for r in run.rounds]
        statuses = collections.Counter(s.status for load in loads for s in load.samples)
        failed = sum(len(load.errors) for load in loads)
        ran_out = any(load.ran_out for load in loads)
        lines.append(
            f"{name}: {sum(statuses.values())} answered {dict(sorted(statuses.items()))}, "
            f"{failed} failed" + (" (ran out of codes: give more --voters)" * ran_out)
        )
    lines.append(f"stored: {run.ballots} ballots, {run.marks} participation marks")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> CastingRun:
    """Parse the command line, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="baseline and casting, in turn")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load")
    parser.add_argument("--voters", type=int, default=30000, help="codes for all rounds")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary dir")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=0, help="default: workers × threads")
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="voters arriving per second, served by --connections threads (default: as fast "
        "as answered); latency then counts from each voter's arrival",
    )
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 600 and 0 < args.voters <= 1_000_000 and 0 < args.rounds <= 20):
        parser.error("--seconds up to 600, --voters up to 1000000, --rounds up to 20")
    run = measure(
        args.database_url,
        seconds=args.seconds,
        voters=args.voters,
        rounds=args.rounds,
        workers=args.workers,
        threads=args.threads,
        connections=args.connections or None,
        rate=args.rate or None,
    )
    print(report(run, backend(args.database_url) if args.database_url else "sqlite"))
    return run


if __name__ == "__main__":
    main()
