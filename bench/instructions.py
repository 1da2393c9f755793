"""Instructions per vote beside the baseline's POST, counted by valgrind's cachegrind.

    python -m bench.instructions [--posts 100] [--database-url postgresql+psycopg://…/bench]

The machine's speed drifts by up to 40 % from one minute to the next; what a request
executes does not. Each side (casting, then the baseline app) runs twice in a process of
its own under cachegrind, with a few requests and with ``--posts`` more after the same
set-up; the difference per request is the figure, imports and set-up cancel out. Counted
in-process through Flask's test client: the app's user-space instructions, not the
database server's nor the kernel's. Needs valgrind (Debian: ``apt install valgrind``).
On PostgreSQL the runs work in the schema ``bench`` of the given database.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ballots.keys import read_signer
from bench.baseline_app import ENGINE_KEY, create_app_on
from bench.database import ANSWERS, SLUG, backend, fresh_database, open_consultation
from bench.load import TOKEN
from bench.profile import _app
from voting.web.db import EXTENSION_KEY

WARM = 10  # requests before the counted ones, in both runs
SIDES = ("casting", "baseline")
_REFS = re.compile(rb"I\s+refs:\s+([\d,]+)")


def post(side: str, database_url: str, count: int) -> None:
    """Make WARM + ``count`` POSTs of one side in this process, after a fresh set-up."""
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as tmp:
        url = fresh_database(database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        if side == "casting":
            app, env = _app(Path(tmp), url)
            engine = app.extensions[EXTENSION_KEY]
            codes = open_consultation(
                url,
                WARM + count,
                env["VOTING_PSEUDONYM_KEY"],
                read_signer(env["VOTING_SIGNING_KEY_PATH"]),
            )
            path = f"/consultations/{SLUG}/vote"
            forms = [{"code": code, **ANSWERS} for code in codes]
        else:
            app, path = create_app_on(url, "bench-" * 6), "/cast"
            engine = app.extensions[ENGINE_KEY]
            forms = [{"code": f"BASE-{i}", "content": "x" * 80} for i in range(WARM + count)]
        try:
            client = app.test_client()
            token = TOKEN.search(client.get(path if side == "casting" else "/").data)
            assert token is not None
            csrf = (token.group(1) or token.group(2)).decode()
            for form in forms:
                response = client.post(path, data={"csrf_token": csrf, **form})
                assert response.status_code == 200, response.status_code
        finally:
            engine.dispose()


def instructions(side: str, database_url: str, count: int) -> int:
    """Return the instructions a process making WARM + ``count`` POSTs executes in all."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.instructions",
        "--run",
        side,
        "--posts",
        str(count),
        "--database-url",
        database_url,
    ]
    # The same hashes and Python's own allocator off, for the same work run after run.
    environment = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONMALLOC": "malloc"}
    done = subprocess.run(command, capture_output=True, env=environment, check=True)
    return refs(done.stderr)


def refs(report: bytes) -> int:
    """Return the instruction count from cachegrind's summary ("I refs: 1,234")."""
    match = _REFS.search(report)
    if match is None:
        raise ValueError("no instruction count in cachegrind's report")
    return int(match.group(1).replace(b",", b""))


def measure(database_url: str, posts: int) -> dict[str, float]:
    """Return instructions per POST of casting and of the baseline, in thousands."""
    per_post = {}
    for side in SIDES:
        few, more = (instructions(side, database_url, n) for n in (1, 1 + posts))
        per_post[side] = (more - few) / posts / 1000
    return per_post


def main(argv: list[str] | None = None) -> dict[str, float] | None:
    """Parse the command line; count, or be one counted run (--run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100, help="counted POSTs per side")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary dir")
    parser.add_argument("--run", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        post(args.run, args.database_url, args.posts)
        return None
    if shutil.which("valgrind") is None:
        parser.exit(2, "valgrind is not installed (Debian: apt install valgrind)\n")
    per_post = measure(args.database_url, args.posts)
    name = backend(args.database_url or "sqlite://")
    print(f"instructions per POST on {name}, {args.posts} POSTs each, in-process (thousands):")
    print(f"casting {per_post['casting']:,.0f}  baseline {per_post['baseline']:,.0f}")
    ratio = per_post["baseline"] / per_post["casting"] if per_post["casting"] else 0.0
    print(f"ratio baseline / casting: {ratio:.2f}")
    return per_post


if __name__ == "__main__":
    main()
