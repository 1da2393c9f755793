"""Counting speed beside the reference implementations, and the memory of a streamed tally.

    .venv/bin/python -m bench.counting                      # methods only
    .venv/bin/python -m bench.counting --database URL       # and 1,000,000 ballots from URL

The database run drops and recreates the schema `public` (PostgreSQL) or writes a new
SQLite file: never point it at a database whose data you need. Data are random but seeded,
so every run counts the same profiles. Each reference library gets the same profile in its
own input form; building that form is timed separately.
"""

import argparse
import gc
import json
import random
import resource
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from typing import Any

from results.methods import count

APPROVAL_BALLOTS = 1_000_000
RANKED_BALLOTS = 100_000
PB_PROJECTS, PB_VOTERS = 60, 6_000


def timed(label: str, run: Callable[[], Any]) -> tuple[float, Any]:
    """Run once, print and return the wall time in seconds and the result."""
    gc.collect()
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    print(f"  {label:<58} {seconds:8.2f} s", flush=True)
    return seconds, result


def approval_profile(rng: random.Random) -> list[list[str]]:
    options = [f"o{i}" for i in range(5)]
    appeal = [0.6, 0.45, 0.35, 0.3, 0.2]
    ballots = []
    for _ in range(APPROVAL_BALLOTS):
        chosen = [o for o, p in zip(options, appeal, strict=True) if rng.random() < p]
        ballots.append(chosen or [options[rng.randrange(5)]])
    return ballots


def bench_approval(rng: random.Random) -> dict[str, float]:
    from pref_voting.grade_methods import approval
    from pref_voting.grade_profiles import GradeProfile

    print(f"approval, {APPROVAL_BALLOTS:,} ballots, 5 options")
    options = [f"o{i}" for i in range(5)]
    ballots = approval_profile(rng)
    ours, outcome = timed(
        "results.methods approval (streams every ballot)",
        lambda: count("approval", options, iter(ballots)),
    )

    def profile_of_ballots() -> Any:
        # pref-voting takes a profile of distinct ballots with counts; grouping the
        # million ballots into it is part of its work on the same data.
        groups = Counter(tuple(b) for b in ballots)
        return GradeProfile(
            [{options.index(o): 1 for o in g} for g in groups],
            [0, 1],
            gcounts=list(groups.values()),
            candidates=list(range(5)),
        )

    build, profile = timed("pref-voting: group ballots into a GradeProfile", profile_of_ballots)
    theirs, winners = timed("pref-voting approval", lambda: approval(profile))
    assert sorted(outcome.winners) == sorted(options[c] for c in winners)
    return {"ours": ours, "reference_build": build, "reference": theirs}


def bench_ranked(rng: random.Random) -> dict[str, float]:
    from pref_voting.iterative_methods import instant_runoff
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.profiles import Profile

    print(f"Schulze and IRV, {RANKED_BALLOTS:,} full rankings, 10 candidates")
    options = [f"c{i}" for i in range(10)]
    # Candidates differ in appeal, so rankings are not uniform and rounds matter.
    appeal = [1.0 + 0.15 * i for i in range(10)]
    rankings = []
    for _ in range(RANKED_BALLOTS):
        keyed = sorted(range(10), key=lambda i: -(rng.random() ** (1 / appeal[i])))
        rankings.append([options[i] for i in keyed])
    figures: dict[str, float] = {}
    figures["schulze"], schulze = timed(
        "results.methods schulze", lambda: count("schulze", options, iter(rankings))
    )
    figures["irv"], irv = timed(
        "results.methods irv", lambda: count("irv", options, iter(rankings))
    )
    figures["reference_build"], profile = timed(
        "pref-voting Profile", lambda: Profile([[int(c[1:]) for c in r] for r in rankings])
    )
    figures["reference_schulze"], bp = timed("pref-voting beat_path", lambda: beat_path(profile))
    figures["reference_irv"], ir = timed(
        "pref-voting instant_runoff", lambda: instant_runoff(profile)
    )
    assert sorted(schulze.winners) == sorted(options[c] for c in bp)
    assert sorted(irv.winners) == sorted(options[c] for c in ir)
    return figures


def bench_budget(rng: random.Random) -> dict[str, float]:
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
    from pabutools.rules import method_of_equal_shares

    print(f"equal shares, {PB_PROJECTS} projects, {PB_VOTERS:,} voters")
    projects = [f"p{i:02d}" for i in range(PB_PROJECTS)]
    costs = {p: rng.randint(5, 200) * 1_000 for p in projects}
    popularity = {p: 0.02 + 0.25 * rng.random() ** 2 for p in projects}
    ballots = []
    for _ in range(PB_VOTERS):
        chosen = [p for p in projects if rng.random() < popularity[p]]
        ballots.append(chosen or [rng.choice(projects)])
    budget = sum(costs.values()) // 3
    params = {"budget": budget, "costs": costs}
    figures: dict[str, float] = {}
    figures["ours_none"], plain = timed(
        "results.methods pb_equal_shares, completion none",
        lambda: count("pb_equal_shares", projects, iter(ballots), completion="none", **params),
    )
    figures["ours_add1"], add1 = timed(
        "results.methods pb_equal_shares, completion add1",
        lambda: count("pb_equal_shares", projects, iter(ballots), completion="add1", **params),
    )
    print(
        f"    add1: {len(add1.winners)} funded for {add1.details['spent']:,} of {budget:,}, "
        f"per voter {add1.details['per_voter_budget']}"
    )
    items = {p: Project(p, costs[p]) for p in projects}
    instance = Instance(items.values(), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot(items[p] for p in b) for b in ballots])
    figures["reference_none"], mes = timed(
        "pabutools method_of_equal_shares (Cost_Sat)",
        lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
    )
    assert sorted(plain.winners) == sorted(p.name for p in mes), "MES differs from pabutools"
    figures["reference_increment"], _ = timed(
        "pabutools MES, voter_budget_increment=1 (its iterated variant)",
        lambda: method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
        ),
    )
    return figures


def bench_database(url: str | None, reuse: bool) -> dict[str, float]:
    """Tally 1,000,000 approval ballots streamed from a database; return time and memory."""
    from sqlalchemy import create_engine, insert, select, text
    from sqlmodel import Session

    from ballots.models import Ballot
    from voting.core.migrate import upgrade_database
    from voting.core.models import Consultation, Option, Question, utcnow

    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = create_engine(url)
    stored = None
    if reuse:
        with Session(engine) as session:
            stored = session.execute(
                select(Consultation.id).where(Consultation.slug == "bench")
            ).scalar()
    if stored is not None:
        print(f"tally from {engine.dialect.name}, the {APPROVAL_BALLOTS:,} ballots stored before")
        return _tally_from(engine, stored)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade_database(url)
    print(f"tally from {engine.dialect.name}, {APPROVAL_BALLOTS:,} approval ballots")
    rng = random.Random(7)
    with Session(engine) as session:
        question = Question(
            position=0,
            key="q",
            text="Welche?",
            method="approval",
            options=[Option(position=i, key=f"o{i}", label=f"O{i}") for i in range(5)],
        )
        consultation = Consultation(
            slug="bench", title="Bench", opens_at=utcnow(), closes_at=utcnow(), questions=[question]
        )
        session.add(consultation)
        session.commit()
        consultation_id = consultation.id

        def rows(start: int, n: int) -> list[dict[str, Any]]:
            out = []
            for i in range(start, start + n):
                chosen = sorted(rng.sample(range(5), rng.randint(1, 5)))
                content = json.dumps({"q": [f"o{c}" for c in chosen]}, separators=(",", ":"))
                out.append(
                    {
                        "consultation_id": consultation_id,
                        "tracking_code": f"{i:014d}",
                        "content": content,
                    }
                )
            return out

        start = time.perf_counter()
        for batch in range(0, APPROVAL_BALLOTS, 20_000):
            session.execute(insert(Ballot), rows(batch, 20_000))
        session.commit()
        print(f"  (stored in {time.perf_counter() - start:.0f} s)")
    return _tally_from(engine, consultation_id)


def _tally_from(engine: Any, consultation_id: int) -> dict[str, float]:
    from sqlmodel import Session

    from results.tally import count_question
    from voting.core.models import Consultation

    with Session(engine) as session:
        consultation = session.get(Consultation, consultation_id)
        question = consultation.questions[0]

        def tally() -> Any:
            return count_question(
                session=session, consultation=consultation, question=question, eligible=0
            )

        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds, outcome = timed("results.tally.count_question (streamed in batches)", tally)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # Tracing every allocation slows the count down, so memory is a second run.
        tracemalloc.start()
        tally()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert outcome.details["ballots"] == APPROVAL_BALLOTS
    print(f"  peak Python memory during the tally (tracemalloc): {peak / 2**20:.1f} MiB")
    print(f"  growth of the process's peak RSS: {(rss_after - rss_before) / 1024:.1f} MiB")
    print(f"  peak RSS of the process: {rss_after / 1024:.1f} MiB")
    engine.dispose()
    return {"seconds": seconds, "peak_mib": peak / 2**20}


def main() -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL for the streamed tally (schema dropped)")
    parser.add_argument("--sqlite", action="store_true", help="stream from a new SQLite file")
    parser.add_argument("--skip-methods", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="count the ballots a previous run stored, if any"
    )
    args = parser.parse_args()
    rng = random.Random(2027)
    if not args.skip_methods:
        bench_approval(rng)
        bench_ranked(rng)
        bench_budget(rng)
    if args.database or args.sqlite:
        bench_database(args.database, args.reuse)


if __name__ == "__main__":
    main()
