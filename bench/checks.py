"""Receipt checks per second ("Meine Stimme prüfen") on a log of many ballots.

    python -m bench.checks --ballots 100000 [--seconds 5] [--database-url postgresql+psycopg://…]

Seeds the open consultation ``bench`` with N ballots in one genuine Merkle log: each
ballot's leaf hashes its log entry, the log head keeps the frontier and root, and every
ballot has its signed tree head (its receipt), as casting leaves them. Then, in this
process, checks receipts of randomly chosen ballots with ``check_receipt`` (one session
per check, as one request has) for a fixed time; baseline: verifying the same receipts'
Ed25519 signatures alone (``verify_receipt``) for the same time. Prints both rates, the
ratio, and the time of the first (cold) check, which reads the log once.
"""

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from ballots import merkle
from ballots.canonical import canonical_json
from ballots.checking import check_receipt
from ballots.commitment import ballot_entry, new_salt
from ballots.keys import publish_key, published_keys, write_key_file
from ballots.log import store_tree_head
from ballots.models import Ballot, LogState
from ballots.receipts import Signer, b64url_decode, issued_hour, sign_receipt, verify_receipt
from ballots.signed_steps import current_definition
from bench.database import SLUG, backend, fresh_database, open_consultation
from voting.core.db import make_engine
from voting.core.models import Consultation, utcnow

CHUNK = 5000
# Receipts the checks cycle through, drawn at random from the whole log.
SAMPLE = 1000
CONTENTS = [
    {"brunnen": brunnen, "nutzung": nutzung, "projekte": projekte}
    for brunnen in ("yes", "no", "abstain")
    for nutzung in ("garten", "spielplatz", None)
    for projekte in (["baeume"], ["baeume", "licht"], ["baenke"], [])
]


@dataclass
class Figures:
    """What one run measured."""

    ballots: int
    checks: int
    checks_per_second: float
    baseline_per_second: float
    cold_seconds: float
    seeded_seconds: float

    @property
    def ratio(self) -> float:
        """Return checks per second over signature checks per second."""
        return self.checks_per_second / self.baseline_per_second


def seed_log(url: str, ballots: int, signer: Signer, seed: int = 7) -> list[dict[str, Any]]:
    """Append ``ballots`` ballots to the log of ``bench`` as casting does; return a sample.

    Rows go in by the thousand instead of one transaction per vote; what is stored is what
    cast_ballot stores (ballot, leaf, advanced head, signed tree head), minus the
    participation marks, which a check never reads.
    """
    rng = random.Random(seed)
    picked = set(rng.sample(range(ballots), min(SAMPLE, ballots)))
    sample: list[dict[str, Any]] = []
    engine = make_engine(url)
    with Session(engine) as session:
        cid = session.execute(select(Consultation.id).where(Consultation.slug == SLUG)).scalar_one()
        publish_key(session=session, signer=signer)
        definition = current_definition(session=session, consultation_id=cid)
        session.commit()
    issued_at = issued_hour(utcnow())
    frontier: list[bytes] = []
    with Session(engine) as session:
        for start in range(0, ballots, CHUNK):
            rows = []
            for index in range(start, min(start + CHUNK, ballots)):
                code = f"B{index // 10**6:03d}-{index // 1000 % 1000:03d}-{index % 1000:03d}"
                content, salt = rng.choice(CONTENTS), new_salt()
                leaf = merkle.leaf_hash(ballot_entry(SLUG, code, content, salt))
                frontier = merkle.append(frontier, index, leaf)
                receipt = sign_receipt(
                    {
                        "consultation": SLUG,
                        "tracking_code": code,
                        "leaf_index": index,
                        "leaf_hash": leaf.hex(),
                        "tree_size": index + 1,
                        "root_hash": merkle.frontier_root(frontier).hex(),
                        "definition": definition,
                        "issued_at": issued_at,
                    },
                    signer,
                )
                store_tree_head(session=session, consultation_id=cid, head=receipt)
                if index in picked:
                    sample.append(receipt)
                rows.append(
                    {
                        "consultation_id": cid,
                        "tracking_code": code,
                        "content": canonical_json(content).decode(),
                        "salt": salt,
                        "district": "",
                        "leaf_index": index,
                        "leaf_hash": leaf.hex(),
                    }
                )
            session.execute(insert(Ballot.__table__), rows)
        # Opening created the log's head and named the definition in it.
        state = session.get(LogState, cid)
        assert state is not None
        state.tree_size = ballots
        state.frontier = ",".join(h.hex() for h in frontier)
        state.root_hash = merkle.frontier_root(frontier).hex()
        session.add(state)
        session.commit()
    engine.dispose()
    rng.shuffle(sample)
    return sample


def rate(action: Callable[[int], None], seconds: float) -> tuple[int, float]:
    """Run ``action(i)`` for i = 0, 1, … for about ``seconds``; return (runs, runs per second)."""
    runs, began = 0, time.perf_counter()
    deadline = began + seconds
    while True:
        action(runs)
        runs += 1
        now = time.perf_counter()
        if now >= deadline:
            return runs, runs / (now - began)


def measure(database_url: str, ballots: int, seconds: float) -> Figures:
    """Seed a log of ``ballots`` ballots, then time checks and the baseline in this process."""
    with tempfile.TemporaryDirectory(prefix="bench-checks-") as tmp:
        url = fresh_database(database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        signer = write_key_file(Path(tmp) / "signing-key.pem")
        began = time.perf_counter()
        open_consultation(url, 1, "bench-pseudonym-key", signer)
        sample = seed_log(url, ballots, signer)
        seeded = time.perf_counter() - began
        engine = make_engine(url)
        with Session(engine) as session:
            keys = {k.key_id: b64url_decode(k.public_key) for k in published_keys(session=session)}

        def check(i: int) -> None:
            with Session(engine) as session:
                outcome = check_receipt(session=session, receipt=sample[i % len(sample)])
            if not outcome.included or outcome.latest_tree_size != ballots:
                raise SystemExit(f"a receipt did not check: {outcome.problem}")

        def signature(i: int) -> None:
            verify_receipt(sample[i % len(sample)], keys)

        began = time.perf_counter()
        check(0)  # the first check in a process reads the log once
        cold = time.perf_counter() - began
        checks, per_second = rate(check, seconds)
        _, baseline = rate(signature, seconds)
        engine.dispose()
    return Figures(ballots, checks, per_second, baseline, cold, seeded)


def report(figures: Figures, label: str) -> str:
    """Return the figures with the ratio to the baseline."""
    return "\n".join(
        [
            f"receipt checks on a log of {figures.ballots} ballots in {label}, one process "
            f"(seeded in {figures.seeded_seconds:.0f} s)",
            f"first (cold) check:            {figures.cold_seconds * 1000:10.1f} ms",
            f"check_receipt:                 {figures.checks_per_second:10.0f} /s "
            f"({figures.checks} checks, {1000 / figures.checks_per_second:.2f} ms each)",
            f"baseline (signature only):     {figures.baseline_per_second:10.0f} /s",
            f"ratio checks / baseline:       {figures.ratio:10.3f}",
        ]
    )


def main(argv: list[str] | None = None) -> Figures:
    """Parse the command line, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary dir")
    args = parser.parse_args(argv)
    figures = measure(args.database_url, args.ballots, args.seconds)
    print(report(figures, backend(args.database_url) if args.database_url else "sqlite"))
    return figures


if __name__ == "__main__":
    main()
