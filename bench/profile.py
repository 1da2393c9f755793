"""Profile the cast path and the tally path in one process (pyinstrument, a dev dependency).

    python -m bench.profile cast --votes 500      # time per cast, then the profile
    python -m bench.profile tally --ballots 100000

The app runs in-process through Flask's test client on a temporary SQLite database
(or --database-url), so the profile shows our code and the libraries, not the network.
"""

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

from ballots.keys import read_signer
from bench.database import ANSWERS, SLUG, fresh_database, open_consultation, server_environment
from bench.load import TOKEN


def _app(instance: Path, url: str) -> tuple[Any, dict[str, str]]:
    from voting.app import create_app

    env = server_environment(instance, url)
    app = create_app(
        {
            "SECRET_KEY": env["VOTING_SECRET_KEY"],
            "PSEUDONYM_KEY": env["VOTING_PSEUDONYM_KEY"],
            "DATABASE_URL": url,
            "SIGNING_KEY_PATH": env["VOTING_SIGNING_KEY_PATH"],
            "RATELIMIT_ENABLED": False,
        }
    )
    return app, env


def profile_cast(database_url: str, votes: int, show: bool = True) -> float:
    """Cast ``votes`` ballots through the test client; return milliseconds per cast."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        instance = Path(tmp)
        url = fresh_database(database_url or f"sqlite:///{instance / 'bench.db'}")
        app, env = _app(instance, url)
        codes = open_consultation(
            url,
            2 * votes + 20,
            env["VOTING_PSEUDONYM_KEY"],
            read_signer(env["VOTING_SIGNING_KEY_PATH"]),
        )
        client = app.test_client()
        path = f"/consultations/{SLUG}/vote"
        token = TOKEN.search(client.get(path).data)
        assert token is not None
        form = {"csrf_token": (token.group(1) or token.group(2)).decode(), **ANSWERS}

        def cast(code: str) -> None:
            response = client.post(path, data={**form, "code": code})
            assert response.status_code == 200, response.status_code

        for code in codes[:20]:  # warm: templates compiled, caches filled
            cast(code)
        began, cpu = time.perf_counter(), time.process_time()
        for code in codes[20 : 20 + votes]:
            cast(code)
        per_cast = (time.perf_counter() - began) / votes * 1000
        cpu_per_cast = (time.process_time() - cpu) / votes * 1000
        if show:
            profiler = Profiler(interval=0.0005)
            with profiler:
                for code in codes[20 + votes : 20 + 2 * votes]:
                    cast(code)
            print(profiler.output_text(unicode=True, show_all=False))
        app.extensions["buergervotum.engine"].dispose()
        baseline_cpu = _baseline_cpu_ms(url, env["VOTING_SECRET_KEY"], votes)
    print(
        f"{per_cast:.2f} ms per cast, {cpu_per_cast:.2f} ms of it CPU "
        f"(in-process, one thread, {votes} casts); the baseline app's POST "
        f"{baseline_cpu:.2f} ms CPU, ratio {baseline_cpu / cpu_per_cast:.2f}"
    )
    return per_cast


def _baseline_cpu_ms(url: str, secret_key: str, posts: int) -> float:
    """Return the CPU milliseconds of the casting benchmark's baseline POST, in-process."""
    from bench.baseline_app import create_app_on

    app = create_app_on(url, secret_key)
    client = app.test_client()
    token = TOKEN.search(client.get("/").data)
    assert token is not None
    form = {"csrf_token": (token.group(1) or token.group(2)).decode(), "content": "x" * 80}
    for number in range(posts + 20):
        if number == 20:  # warm first, as for the casts
            cpu = time.process_time()
        response = client.post("/cast", data={**form, "code": f"BASE-{number}"})
        assert response.status_code == 200, response.status_code
    return (time.process_time() - cpu) / posts * 1000


def profile_tally(database_url: str, ballots: int, show: bool = True) -> float:
    """Count ``ballots`` approval ballots streamed from the database; return seconds."""
    from bench.tally_memory import seed_approval, tally_once

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        url = fresh_database(database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        consultation_id = seed_approval(url, ballots)
        began, cpu = time.perf_counter(), time.process_time()
        tally_once(url, consultation_id)
        seconds = time.perf_counter() - began
        cpu_seconds = time.process_time() - cpu
        if show:
            profiler = Profiler(interval=0.001)
            with profiler:
                tally_once(url, consultation_id)
            print(profiler.output_text(unicode=True, show_all=False))
    print(f"{seconds:.2f} s to count {ballots} approval ballots, {cpu_seconds:.2f} s of it CPU")
    return seconds


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=("cast", "tally"))
    parser.add_argument("--votes", type=int, default=500)
    parser.add_argument("--ballots", type=int, default=100000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-profile", action="store_true", help="print the time only")
    args = parser.parse_args(argv)
    if args.path == "cast":
        profile_cast(args.database_url, args.votes, not args.no_profile)
    else:
        profile_tally(args.database_url, args.ballots, not args.no_profile)


if __name__ == "__main__":
    main()
