"""Casting over HTTP: votes per second and latency, beside a minimal Flask app's inserts.

    python -m bench.casting --seconds 20 [--database-url postgresql+psycopg://…/bench]

Both apps run in the same run under the same gunicorn (gthread, 2 workers × 4 threads) on
127.0.0.1; the load client posts distinct polling codes from as many threads as the server
has. On PostgreSQL the benchmark works in the schema ``bench`` of the given database.
"""

import argparse
import collections
import itertools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from ballots.models import Ballot, Participation
from bench.baseline_app import create_table
from bench.database import ANSWERS, SLUG, backend, fresh_database, open_consultation
from bench.database import server_environment as environment
from bench.load import LoadResult, run_load
from bench.server import cpu_seconds, gunicorn
from voting.db import make_engine


@dataclass
class CastingRun:
    """What one benchmark run measured, and what the database holds afterwards."""

    baseline: LoadResult
    casting: LoadResult
    ballots: int
    marks: int
    # Server CPU milliseconds per answered POST: steadier than rates on a shared machine.
    baseline_cpu_ms: float
    casting_cpu_ms: float


def measure(
    database_url: str,
    *,
    seconds: float,
    voters: int,
    workers: int = 2,
    threads: int = 4,
    connections: int | None = None,
    warmup: float | None = None,
) -> CastingRun:
    """Run the baseline, then casting, each for ``seconds``; return both results."""
    connections = connections or workers * threads
    warmup = min(2.0, seconds / 5) if warmup is None else warmup
    with tempfile.TemporaryDirectory(prefix="bench-casting-") as tmp:
        instance = Path(tmp)
        url = database_url or f"sqlite:///{instance / 'bench.db'}"
        url = fresh_database(url)
        env = environment(instance, url)
        codes = open_consultation(url, voters, env["VOTING_PSEUDONYM_KEY"])
        # The baseline's rows need a distinct value each too, and as many as it can take.
        baseline_codes = (f"BASE-{i}" for i in itertools.count())
        content = json.dumps(ANSWERS)
        create_table(url)
        with gunicorn(
            "bench.baseline_app:create_app()", env, workers=workers, threads=threads
        ) as s:
            cpu = cpu_seconds(s.worker_pids())
            baseline = run_load(
                s.port,
                form_path="/",
                post_path="/cast",
                form=lambda code: {"code": code, "content": content},
                codes=baseline_codes,
                seconds=seconds,
                warmup=warmup,
                connections=connections,
            )
            baseline_cpu = _per_request(cpu_seconds(s.worker_pids()) - cpu, baseline)
        path = f"/consultations/{SLUG}/vote"
        with gunicorn("voting:create_app()", env, workers=workers, threads=threads) as s:
            cpu = cpu_seconds(s.worker_pids())
            casting = run_load(
                s.port,
                form_path=path,
                post_path=path,
                form=lambda code: {"code": code, **ANSWERS},
                codes=codes,
                seconds=seconds,
                warmup=warmup,
                connections=connections,
            )
            casting_cpu = _per_request(cpu_seconds(s.worker_pids()) - cpu, casting)
        engine = make_engine(url)
        with Session(engine) as session:
            ballots = session.execute(select(func.count()).select_from(Ballot)).scalar_one()
            marks = session.execute(select(func.count()).select_from(Participation)).scalar_one()
        engine.dispose()
    return CastingRun(baseline, casting, ballots, marks, baseline_cpu, casting_cpu)


def _per_request(cpu: float, result: LoadResult) -> float:
    return cpu * 1000 / len(result.samples) if result.samples else float("nan")


def report(run: CastingRun, label: str) -> str:
    """Return the figures as a small table with the ratio to the baseline."""
    b, c = run.baseline, run.casting
    lines = [
        f"casting over HTTP on {label}: gunicorn gthread, "
        f"{b.duration:.0f} s each, first {b.warmup:.1f} s not counted",
        f"{'':28}{'per s':>9}{'median ms':>11}{'p99 ms':>9}{'CPU ms':>9}",
    ]
    rows = (
        ("baseline (1 row, CSRF)", b, run.baseline_cpu_ms),
        ("casting a ballot", c, run.casting_cpu_ms),
    )
    for name, r, cpu in rows:
        lines.append(
            f"{name:28}{r.rate:9.1f}{r.percentile(0.5):11.1f}{r.percentile(0.99):9.1f}{cpu:9.2f}"
        )
    lines.append(
        f"{'ratio casting / baseline':28}{c.rate / b.rate if b.rate else 0:9.2f}"
        f"{c.percentile(0.5) / b.percentile(0.5):11.2f}"
        f"{c.percentile(0.99) / b.percentile(0.99):9.2f}"
        f"{run.casting_cpu_ms / run.baseline_cpu_ms if run.baseline_cpu_ms else 0:9.2f}"
    )
    lines.append("(CPU ms: the server workers' CPU time per answered POST)")
    for name, r in (("baseline", b), ("casting", c)):
        statuses = collections.Counter(sample.status for sample in r.samples)
        lines.append(
            f"{name}: {len(r.samples)} answered {dict(sorted(statuses.items()))}, "
            f"{len(r.errors)} failed" + (" (ran out of codes: give more --voters)" * r.ran_out)
        )
    lines.append(f"stored: {run.ballots} ballots, {run.marks} participation marks")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> CastingRun:
    """Parse the command line, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--voters", type=int, default=20000, help="codes available per run")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary dir")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=0, help="default: workers × threads")
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 600 and 0 < args.voters <= 1_000_000):
        parser.error("--seconds up to 600, --voters up to 1000000")
    run = measure(
        args.database_url,
        seconds=args.seconds,
        voters=args.voters,
        workers=args.workers,
        threads=args.threads,
        connections=args.connections or None,
    )
    print(report(run, backend(args.database_url) if args.database_url else "sqlite"))
    return run


if __name__ == "__main__":
    main()
