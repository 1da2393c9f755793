"""How long the standalone verifier takes for a large consultation, and how big its bundle is.

    .venv/bin/python bench/verifier.py [--ballots 100000]

Builds a bundle of N ballots over the nine questions of tests/vectors (nine methods)
with the app's own log, receipt and counting code (one signed tree head per ballot, as
the server issues them),
writes it to a temporary file and times the verifier (verifier/, run as
`python -m buergervotum_verifier`) on it, from process start to exit (wall clock,
and CPU time, which a busy machine disturbs less).
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.vectors.generate import ballots, bundle  # noqa: E402


def main() -> None:
    """Print the bundle size and the verifier's wall time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    data = bundle(ballots(args.ballots))
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        size = path.stat().st_size
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, "-m", "buergervotum_verifier", str(path)],
            cwd=ROOT / "verifier",  # found there whether it is installed or not
            capture_output=True,
            text=True,
        )
        verified = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"the verifier refused the bundle: {done.stderr.strip()}")
    print(f"ballots:        {args.ballots:,}")
    print(f"bundle size:    {size / 1e6:.1f} MB ({size / args.ballots:.0f} bytes per ballot)")
    print(f"built in:       {built:.1f} s")
    print(f"verified in:    {verified:.1f} s wall, {cpu:.1f} s CPU  ({done.stdout.strip()})")


if __name__ == "__main__":
    main()
