"""Attacks on the stored files after the count: no mark can be paired with its ballot.

500 voters vote in a random order, staff close and count as they do in the staff
area, and then an insider holds copies of what the database keeps on disk. Each
trick infers for every voter it can the ballot (its leaf index) they cast; what it
gets is measured against the truth:

- ``paired``: how many voters the trick names a ballot for;
- ``exact``: how many of those are right. Pairing marks and ballots at random gets
  one right on average whatever the number of voters (the fixed points of a random
  permutation), and 7 or more with a chance below 1 in 10,000 (Poisson, mean 1);
- ``rho``: Spearman's rank correlation between the inferred and the true order. For
  an order unrelated to the order of voting it is about normal with standard
  deviation 1/sqrt(n - 1), 0.045 for 500 voters: |rho| >= 0.2 is 4.5 deviations, a
  chance near 1 in 100,000.
"""

import os
import random
import shutil
import sqlite3
import stat
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, select, text
from sqlmodel import Session

from ballots import traces
from ballots.keys import publish_key
from ballots.models import Ballot
from ballots.receipts import Signer
from tests.conftest import (
    PSEUDONYM_KEY,
    OpenConsultation,
    cast_code,
    csrf_token,
    jobs_config,
    log_in_as,
    make_open_consultation,
    make_staff,
)
from tests.jobs import run_queued_jobs
from tests.sqlite_pages import (
    btree_entries,
    btree_page_numbers,
    commits_in_time_order,
    file_pages,
    root_pages,
    wal_frames,
)
from voting.app import create_app
from voting.core.codes import normalise_code
from voting.core.db import make_engine
from voting.core.migrate import upgrade_database
from voting.core.models import Consultation, Job, JobStatus, StaffUser, Voter
from voting.core.pseudonyms import code_hash
from voting.web.db import EXTENSION_KEY as ENGINE

VOTERS = 500
ANSWERS = {"brunnen": "yes", "nutzung": "garten", "projekte": ["licht"]}
# Bounds that chance alone stays under (see the module's text).
MAX_RHO = 0.2
MAX_EXACT = 6


@dataclass(frozen=True)
class Outcome:
    """What one trick got right."""

    paired: int
    exact: int
    rho: float

    def __str__(self) -> str:
        return f"paired {self.paired}, right {self.exact}, rho {self.rho:.3f}"

    @property
    def is_chance(self) -> bool:
        """Tell whether the trick did no better than pairing at random."""
        return self.exact <= MAX_EXACT and (self.paired < 50 or abs(self.rho) < MAX_RHO)


def ranks(values: list[int]) -> list[float]:
    """Return the rank of each value (ties get their average rank)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2
        i = j + 1
    return result


def spearman(xs: list[int], ys: list[int]) -> float:
    """Return Spearman's rank correlation of two equally long lists (0 when undefined)."""
    rx, ry = ranks(xs), ranks(ys)
    n = len(rx)
    if n < 3:
        return 0.0
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else 0.0


def judge(inferred: dict[int, int], truth: dict[int, int]) -> Outcome:
    """Compare the leaf the attacker names for each voter with the leaf they filled."""
    voters = sorted(inferred)
    return Outcome(
        paired=len(voters),
        exact=sum(inferred[v] == truth[v] for v in voters),
        rho=spearman([inferred[v] for v in voters], [truth[v] for v in voters]),
    )


def pair_in_order(marks: list[int], ballots: list[int]) -> dict[int, int]:
    """Pair the i-th mark with the i-th ballot, as an attacker who trusts an order does."""
    return dict(zip(marks, ballots, strict=False))


@dataclass
class Election:
    """A consultation voted by VOTERS voters in a random order; who filled which leaf."""

    consultation: OpenConsultation
    truth: dict[int, int]  # voter id -> leaf index


def vote_in_random_order(session: Session, signer: Signer, seed: int) -> Election:
    """Let every voter vote once, in a random order, each vote committed as the view does."""
    consultation = make_open_consultation(session, voters=VOTERS)
    voter_of_hash = dict(
        session.execute(
            select(Voter.code_hash, Voter.id).where(Voter.consultation_id == consultation.id)
        ).all()
    )
    draw = random.Random(seed)
    codes = list(consultation.codes)
    draw.shuffle(codes)
    truth = {}
    for code in codes:
        answers = {
            "brunnen": draw.choice(["yes", "no", "abstain"]),
            "nutzung": draw.choice(["garten", "spielplatz", "parken"]),
            "projekte": draw.sample(["baeume", "baenke", "licht"], draw.randint(0, 2)),
        }
        cast = cast_code(session, consultation.id, code, signer, answers)
        session.commit()
        truth[voter_of_hash[code_hash(PSEUDONYM_KEY, normalise_code(code))]] = cast.receipt[
            "leaf_index"
        ]
    return Election(consultation, truth)


def press(app: Flask, session: Session, slug: str, step: str) -> None:
    """Press a staff button (close, count) as staff do; a count runs as the worker runs it."""
    client = app.test_client()
    user = session.execute(select(StaffUser)).scalars().first() or make_staff(session)
    if step == "close":  # before the scheduled end: a second person asks, with a reason
        ask_to_close(client, session, slug)
    log_in_as(client, user)
    # Like any reader, an open snapshot would keep SQLite's log from being emptied.
    session.rollback()
    token = csrf_token(client, "/staff/")
    response = client.post(
        f"/staff/consultations/{slug}/{step}", data={"csrf_token": token, "understood": "y"}
    )
    assert response.status_code == 302
    if step == "count":
        assert run_queued_jobs(app) == 1


def ask_to_close(client: FlaskClient, session: Session, slug: str) -> None:
    """Ask to close voting early as a second staff member, with a reason; no one is left in."""
    log_in_as(client, make_staff(session, "antrag"))
    session.rollback()
    data = {"csrf_token": csrf_token(client, "/staff/"), "understood": "y", "reason": "Sturm"}
    asked = client.post(f"/staff/consultations/{slug}/close/request", data=data)
    assert asked.status_code == 302


def leaf_of_ballot(session: Session) -> dict[int, int]:
    """Return each ballot's leaf index by its row id (both are public after the count)."""
    return dict(session.execute(select(Ballot.id, Ballot.leaf_index)).all())


# SQLite: the database file and its write-ahead log.


@pytest.fixture
def sqlite_app(tmp_path: Path, signing_key_path: Path, signer: Signer) -> Iterator[Flask]:
    """Return the app on a database file of its own, in WAL mode as the app runs it."""
    url = f"sqlite:///{tmp_path / 'votes.sqlite'}"
    upgrade_database(url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PSEUDONYM_KEY": PSEUDONYM_KEY,
            "DATABASE_URL": url,
            "SIGNING_KEY_PATH": str(signing_key_path),
            **jobs_config(tmp_path),
        }
    )
    with Session(app.extensions[ENGINE]) as session:
        publish_key(session=session, signer=signer)
        session.commit()
    yield app
    app.extensions[ENGINE].dispose()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_files_are_readable_by_their_owner_only(tmp_path):
    fresh = tmp_path / "fresh.sqlite"
    loose = tmp_path / "loose.sqlite"
    sqlite3.connect(loose).close()
    for path in (loose, Path(f"{loose}-wal")):
        path.touch()
        path.chmod(0o644)
    for path in (fresh, loose):
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE mark (voter INTEGER PRIMARY KEY)")
            connection.exec_driver_sql("INSERT INTO mark VALUES (1)")
        with engine.connect() as connection:  # the WAL lives as long as a connection does
            connection.exec_driver_sql("SELECT * FROM mark").all()
            for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                assert mode(file) == 0o600, (file.name, oct(mode(file)))
        engine.dispose()


def wal_attack(
    wal: bytes, main: Path, consultation_id: int, leaves: dict[int, int]
) -> dict[int, int]:
    """Replay the WAL's commits in time order; pair the one mark and one ballot each adds.

    The participation table and the ballot table are found by their root pages in the
    schema; each commit's page images are laid over the database file, and a voter
    (or ballot) counts as added by the first commit whose pages show it.
    """
    _size, frames = wal_frames(wal)
    _size, state = file_pages(main)
    roots = root_pages(state)
    seen_voters: set[int] = set()
    seen_ballots: set[int] = set()
    inferred = {}
    for commit in commits_in_time_order(frames):
        written = {frame.page_number for frame in commit}
        for frame in commit:
            state[frame.page_number] = frame.page
        voters = {
            cell.values[1]
            for number, cell in btree_entries(state, roots["participation"])
            if number in written and cell.values[:1] == [consultation_id]
        }
        ballots = {
            cell.rowid
            for number, cell in btree_entries(state, roots["ballot"])
            if number in written and cell.values[1:2] == [consultation_id]
        }
        new_voters, new_ballots = voters - seen_voters, ballots - seen_ballots
        seen_voters |= voters
        seen_ballots |= ballots
        if len(new_voters) == 1 and len(new_ballots) == 1:
            inferred[new_voters.pop()] = leaves[new_ballots.pop()]
    return inferred


def page_attack(main: Path, consultation_id: int, leaves: dict[int, int]) -> dict[int, int]:
    """Order marks and ballots by where they sit in the file: page, then place in the page.

    SQLite fills a page's cell area from its end, so a cell further down was written later.
    """
    _size, pages = file_pages(main)
    roots = root_pages(pages)

    def physical(root: int) -> list[Any]:
        entries = btree_entries(pages, root)
        ours = [(n, c) for n, c in entries if consultation_id in c.values[:2]]
        return [c for _n, c in sorted(ours, key=lambda e: (e[0], -e[1].offset))]

    marks = [cell.values[1] for cell in physical(roots["participation"])]
    ballots = [leaves[cell.rowid] for cell in physical(roots["ballot"])]
    return pair_in_order(marks, ballots)


def sqlite_attacks(
    database: Path, copies: Path, consultation_id: int, leaves: dict[int, int]
) -> tuple[dict[str, dict[int, int]], bytes]:
    """Copy the database file and its WAL as they are, and try every trick on the copies."""
    copies.mkdir()
    main = Path(shutil.copy(database, copies / "votes.sqlite"))
    wal_file = Path(f"{database}-wal")
    wal = wal_file.read_bytes() if wal_file.exists() else b""
    inferred = {
        "WAL frames": wal_attack(wal, main, consultation_id, leaves),
        "page and place in page": page_attack(main, consultation_id, leaves),
    }
    # Last, the plain query: opening the copy lays the WAL over it.
    Path(f"{main}-wal").write_bytes(wal)
    db = sqlite3.connect(main)
    marks = [v for (v,) in db.execute("SELECT voter_id FROM participation")]
    ballots = [leaves[i] for (i,) in db.execute("SELECT id FROM ballot")]
    db.close()
    inferred["row order"] = pair_in_order(marks, ballots)
    return inferred, wal


def pages_of_marks_and_ballots(main: Path, wal: bytes) -> set[int]:
    """Return the numbers of the pages that hold the marks' and the ballots' tables."""
    _size, pages = file_pages(main)
    for frame in wal_frames(wal)[1]:
        pages[frame.page_number] = frame.page
    roots = root_pages(pages)
    return btree_page_numbers(pages, roots["participation"]) | btree_page_numbers(
        pages, roots["ballot"]
    )


def test_the_sqlite_files_after_close_and_count_pair_no_mark_with_its_ballot(
    sqlite_app, signer, tmp_path
):
    engine = sqlite_app.extensions[ENGINE]
    database = Path(engine.url.database)
    with Session(engine, expire_on_commit=False) as session:
        election = vote_in_random_order(session, signer, seed=18)
        for file in (database, Path(f"{database}-wal")):
            assert mode(file) == 0o600, (file.name, oct(mode(file)))
        slug, consultation_id = election.consultation.slug, election.consultation.id
        leaves = leaf_of_ballot(session)
        report = []
        for step in ("close", "count"):
            press(sqlite_app, session, slug, step)
            status = session.execute(
                select(Consultation.status).where(Consultation.id == consultation_id)
            ).scalar_one()
            session.rollback()
            assert status == {"close": "closed", "count": "tallied"}[step]
            # The insider's copies, taken while the app still runs.
            inferred, wal = sqlite_attacks(database, tmp_path / step, consultation_id, leaves)
            outcomes = {name: judge(pairs, election.truth) for name, pairs in inferred.items()}
            report.append(f"after {step}: " + "; ".join(f"{n}: {o}" for n, o in outcomes.items()))
            assert all(outcome.is_chance for outcome in outcomes.values()), report
            # Nothing written before the close is left in the log: it was emptied then, and
            # again before the count; all it may hold are the count's own writes.
            written = {frame.page_number for frame in wal_frames(wal)[1]}
            assert not written & pages_of_marks_and_ballots(tmp_path / step / "votes.sqlite", wal)
            assert len(wal) < 100_000, f"the WAL holds {len(wal)} bytes"
        print(*report, sep="\n")


# PostgreSQL: a dump after the count, and the hidden columns a live insider sees.


def dumped_rows(dump: str, table: str) -> list[dict[str, str]]:
    """Return the rows of ``table`` in a plain-text dump, in the order the dump lists them."""
    lines = iter(dump.splitlines())
    for line in lines:
        if line.startswith(f"COPY public.{table} ("):
            columns = line[line.index("(") + 1 : line.index(")")].split(", ")
            break
    else:
        raise AssertionError(f"no {table} in the dump")
    rows = []
    for line in lines:
        if line == "\\.":
            return rows
        rows.append(dict(zip(columns, line.split("\t"), strict=True)))
    raise AssertionError(f"the dump of {table} does not end")


def pair_by_transaction(marks: list[Any], heads: list[Any]) -> dict[int, int]:
    """Pair each mark with the ballot whose signed tree head has the same transaction id."""
    leaf_of_xid = {xid: tree_size - 1 for xid, tree_size in heads}
    return {voter: leaf_of_xid[xid] for xid, voter in marks if xid in leaf_of_xid}


def marks_in_the_table_files(session: Session, consultation_id: int) -> list[tuple[str, int]]:
    """Return (transaction id, voter) of every mark whose bytes are still in the table's pages.

    Reads each page raw (pageinspect's ``get_raw_page``, as a superuser can; anyone who
    copies the table's files reads the same bytes) and looks at every 8-byte boundary
    for a row header followed by a mark: row versions that were deleted and pruned
    leave their bytes behind until the page is written over.
    """
    try:
        with session.begin_nested():
            session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    except Exception:  # noqa: BLE001 - a server without contrib or a superuser
        pytest.skip("pageinspect is not available")
    blocks = session.execute(
        text("SELECT pg_relation_size('participation') / current_setting('block_size')::int")
    ).scalar_one()
    marks = []
    for block in range(blocks):
        page = session.execute(
            text("SELECT get_raw_page('participation', :block)"), {"block": block}
        ).scalar_one()
        for at in range(0, len(page) - 32 + 1, 8):
            # A row header: xmin at 0, its length (24, no null bitmap) at 22; then the row.
            if page[at + 22] != 24:
                continue
            xmin, consultation, voter = struct.unpack("<I20xii", page[at : at + 32])
            if consultation == consultation_id:
                marks.append((str(xmin), voter))
    return marks


def postgresql_attacks(
    session: Session, database_url: str, consultation_id: int, leaves: dict[int, int]
) -> dict[str, dict[int, int]]:
    """Dump the marks and ballots, read the hidden columns and the table's pages; pair."""
    target = make_url(database_url).set(drivername="postgresql")
    dump = subprocess.run(
        ["pg_dump", "--data-only", "-t", "participation", "-t", "ballot"]
        + [target.render_as_string(hide_password=False)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    marks = [
        int(row["voter_id"])
        for row in dumped_rows(dump, "participation")
        if int(row["consultation_id"]) == consultation_id
    ]
    ballots = [leaves[int(row["id"])] for row in dumped_rows(dump, "ballot")]
    inferred = {"dump order": pair_in_order(marks, ballots)}

    # A live insider also sees the hidden columns: where a row sits, which transaction wrote it.
    def column(sql: str) -> list[Any]:
        return list(session.execute(text(sql), {"c": consultation_id}).all())

    by_ctid = column("SELECT voter_id FROM participation WHERE consultation_id = :c ORDER BY ctid")
    ballots_by_ctid = column(
        "SELECT leaf_index FROM ballot WHERE consultation_id = :c ORDER BY ctid"
    )
    inferred["ctid order"] = pair_in_order([v for (v,) in by_ctid], [b for (b,) in ballots_by_ctid])
    # The signed tree head of each ballot was written in the ballot's transaction.
    heads = column("SELECT xmin::text, tree_size FROM tree_head WHERE consultation_id = :c")
    live = column("SELECT xmin::text, voter_id FROM participation WHERE consultation_id = :c")
    inferred["xmin"] = pair_by_transaction(live, heads)
    inferred["xmin in the table's pages"] = pair_by_transaction(
        marks_in_the_table_files(session, consultation_id), heads
    )
    session.rollback()
    return inferred


def test_postgresql_after_close_and_count_pairs_no_mark_with_its_ballot(
    app, session, signer, database_url
):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("pg_dump reads PostgreSQL; this run is on SQLite")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not on PATH")
    election = vote_in_random_order(session, signer, seed=18)
    slug, consultation_id = election.consultation.slug, election.consultation.id
    leaves = leaf_of_ballot(session)
    report = []
    for step in ("close", "count"):
        press(app, session, slug, step)
        inferred = postgresql_attacks(session, database_url, consultation_id, leaves)
        outcomes = {name: judge(pairs, election.truth) for name, pairs in inferred.items()}
        report.append(f"after {step}: " + "; ".join(f"{n}: {o}" for n, o in outcomes.items()))
        assert all(outcome.is_chance for outcome in outcomes.values()), report
    print(*report, sep="\n")


def test_a_close_whose_erasure_fails_stays_closed_and_the_count_waits_for_it(
    app, session, signer, monkeypatch
):
    monkeypatch.setattr(traces, "WAIT_MS", 200)
    consultation = make_open_consultation(session, voters=3)
    for code in consultation.codes:
        cast_code(session, consultation.id, code, signer, ANSWERS)
        session.commit()
    client = app.test_client()
    staff = make_staff(session)
    ask_to_close(client, session, consultation.slug)
    log_in_as(client, staff)
    page = f"/staff/consultations/{consultation.slug}"
    understood = {"understood": "y"}

    # A reader in the middle of its work: on SQLite its snapshot keeps the log from being
    # emptied, on PostgreSQL its lock keeps the marks' table from being written anew.
    reader = app.extensions[ENGINE].connect()
    reader.execute(text("SELECT count(*) FROM participation")).scalar_one()
    closed = client.post(
        f"{page}/close", data={"csrf_token": csrf_token(client, page), **understood}
    )
    assert closed.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "ließ sich noch nicht aus den Datenbankdateien löschen" in html
    counted = client.post(
        f"{page}/count", data={"csrf_token": csrf_token(client, page), **understood}
    )
    assert counted.status_code == 302 and run_queued_jobs(app) == 1
    job = session.execute(select(Job)).scalars().one()
    assert job.status == JobStatus.FAILED and "could not be erased" in job.error
    tallied = client.post(
        f"{page}/tally", data={"csrf_token": csrf_token(client, page), **understood}
    )
    assert tallied.status_code == 302, tallied.get_data(as_text=True)
    assert "ließ sich nicht aus den Datenbankdateien löschen" in client.get(page).get_data(
        as_text=True
    )
    status = select(Consultation.status).where(Consultation.id == consultation.id)
    assert session.execute(status).scalar_one() == "closed"
    session.rollback()

    reader.close()
    counted = client.post(
        f"{page}/count", data={"csrf_token": csrf_token(client, page), **understood}
    )
    assert counted.status_code == 302 and run_queued_jobs(app) == 1
    assert session.execute(status).scalar_one() == "tallied"


def test_postgresql_tables_of_another_owner_are_not_taken_for_rewritten(session):
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        pytest.skip("VACUUM FULL is PostgreSQL's")
    # VACUUM FULL run by a role that does not own a table skips it with a warning only.
    role = f"{bind.url.database}_not_owner"
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        connection.exec_driver_sql(f"CREATE ROLE {role}")
        connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    stranger = create_engine(bind.url, connect_args={"options": f"-c role={role}"})
    try:
        with pytest.raises(traces.StorageNotRewritten, match="is the app's role the owner"):
            traces.rewrite_files(stranger)
    finally:
        stranger.dispose()
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
    traces.rewrite_files(bind)  # the owner's rewrite goes through
