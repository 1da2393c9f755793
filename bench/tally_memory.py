"""Peak memory of a tally of approval ballots streamed from the database.

    python -m bench.tally_memory --ballots 1000000 [--database-url postgresql+psycopg://…]

Seeds one approval question (5 options) with the given number of ballots, then counts it
in a fresh process and, as the baseline, reads the same rows as plain tuples (and parses
their JSON) without counting, also in a fresh process. Each process reports its peak
resident memory during the read (VmHWM, reset first) and how far that rose above the
memory held before.
"""

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from ballots.canonical import canonical_json
from ballots.models import Ballot
from bench.database import KNOWN_METHODS, backend, fresh_database
from bench.server import ROOT
from results.tally import count_question
from voting.consultations.services import load_consultation, parse_spec
from voting.core.db import make_engine
from voting.core.models import Consultation, utcnow

OPTIONS = ("a", "b", "c", "d", "e")
CHUNK = 20000


def seed_approval(url: str, ballots: int, seed: int = 7) -> int:
    """Store a consultation with one approval question and ``ballots`` ballots; return its id."""
    now = utcnow()
    data: dict[str, Any] = {
        "slug": "tally",
        "title": "Tally benchmark",
        "period": {"opens_at": now.isoformat(), "closes_at": (now + timedelta(days=1)).isoformat()},
        "questions": [
            {
                "key": "q",
                "text": "Which?",
                "method": "approval",
                "options": [{"key": key, "label": key.upper()} for key in OPTIONS],
            }
        ],
    }
    engine = make_engine(url)
    with Session(engine) as session:
        spec = parse_spec(data, known_methods=KNOWN_METHODS)
        consultation, _ = load_consultation(session=session, spec=spec, actor="bench")
        session.commit()
        consultation_id = consultation.id
    assert consultation_id is not None
    rng = random.Random(seed)
    # Every non-empty subset of the options, as canonical content; ballots pick among them.
    contents = [
        canonical_json({"q": [o for i, o in enumerate(OPTIONS) if mask >> i & 1]}).decode()
        for mask in range(1, 2 ** len(OPTIONS))
    ]
    with engine.begin() as connection:
        for start in range(0, ballots, CHUNK):
            rows = [
                {
                    "consultation_id": consultation_id,
                    "tracking_code": f"T{i:012d}",
                    "content": rng.choice(contents),
                    "district": "",
                    # The tally reads only the contents; the log columns just need values.
                    "leaf_index": i,
                    "leaf_hash": f"{i:064x}",
                }
                for i in range(start, min(start + CHUNK, ballots))
            ]
            connection.execute(insert(Ballot.__table__), rows)
    engine.dispose()
    return consultation_id


def tally_once(url: str, consultation_id: int) -> dict[str, Any]:
    """Count the consultation's one question as the tally does; return its details."""
    engine = make_engine(url)
    with Session(engine) as session:
        consultation = session.get(Consultation, consultation_id)
        assert consultation is not None
        question = consultation.questions[0]
        outcome = count_question(
            session=session, consultation=consultation, question=question, eligible=0
        )
    engine.dispose()
    return outcome.details


def read_rows(url: str, consultation_id: int) -> dict[str, Any]:
    """Read the same ballots as plain tuples, parsing each, without counting: the baseline."""
    engine = make_engine(url)
    read = 0
    with engine.connect() as connection:
        rows = connection.execute(
            select(Ballot.content)
            .where(Ballot.consultation_id == consultation_id)
            .order_by(Ballot.id)
            .execution_options(yield_per=5000)
        )
        for (content,) in rows:
            json.loads(content)
            read += 1
    engine.dispose()
    return {"ballots": read}


def child(kind: str, url: str, consultation_id: int) -> None:
    """Run one read in this process and print its memory and time as JSON."""
    before = _status_kib("VmRSS")
    # Reset the high-water mark, so imports and start-up do not count (Linux 4.0 and later).
    Path("/proc/self/clear_refs").write_text("5")
    began = time.perf_counter()
    details = (tally_once if kind == "tally" else read_rows)(url, consultation_id)
    seconds = time.perf_counter() - began
    peak = _status_kib("VmHWM")
    print(json.dumps({"before": before, "peak": peak, "seconds": seconds, "details": details}))


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_child(kind: str, url: str, consultation_id: int) -> dict[str, Any]:
    """Run ``child`` in a fresh interpreter, so each peak is its own."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.tally_memory", "--child", kind, url, str(consultation_id)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(database_url: str, ballots: int) -> dict[str, dict[str, Any]]:
    """Seed, then measure the tally and the baseline; return both reports."""
    with tempfile.TemporaryDirectory(prefix="bench-tally-") as tmp:
        url = fresh_database(database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        began = time.perf_counter()
        consultation_id = seed_approval(url, ballots)
        seeded = time.perf_counter() - began
        baseline = run_child("read", url, consultation_id)
        tally = run_child("tally", url, consultation_id)
    return {"baseline": baseline, "tally": tally, "seeded": {"seconds": seeded}}


def report(figures: dict[str, dict[str, Any]], ballots: int, label: str) -> str:
    """Return the figures with the ratio to the baseline."""
    b, t = figures["baseline"], figures["tally"]
    mib = 1024
    lines = [
        f"tally of {ballots} approval ballots (5 options) streamed from {label} "
        f"(seeded in {figures['seeded']['seconds']:.0f} s)",
        f"{'':30}{'peak MiB':>10}{'growth MiB':>12}{'seconds':>9}",
    ]
    for name, r in (("baseline (read rows, no count)", b), ("tally (count_question)", t)):
        lines.append(
            f"{name:30}{r['peak'] / mib:10.1f}{(r['peak'] - r['before']) / mib:12.1f}"
            f"{r['seconds']:9.2f}"
        )
    lines.append(
        f"{'ratio tally / baseline':30}{t['peak'] / b['peak']:10.2f}"
        f"{(t['peak'] - t['before']) / max(1, b['peak'] - b['before']):12.2f}"
        f"{t['seconds'] / b['seconds']:9.2f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Parse the command line, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary dir")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "ID"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return {}
    figures = measure(args.database_url, args.ballots)
    label = backend(args.database_url) if args.database_url else "sqlite"
    print(report(figures, args.ballots, label))
    return figures


if __name__ == "__main__":
    main()
