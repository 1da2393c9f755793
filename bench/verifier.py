"""How long the standalone verifier takes for a large consultation, and how big its bundle is.

    .venv/bin/python bench/verifier.py [--ballots 100000] [--bundle FILE]

Builds a bundle of N ballots over the nine questions of tests/vectors (nine methods)
with the app's own log, receipt and counting code (one signed tree head per ballot, as
the server issues them),
writes it to a temporary file and times the verifier (verifier/, run as
`python -m buergervotum_verifier`) on it, from process start to exit (wall clock,
and CPU time, which a busy machine disturbs less), with its peak memory. With
--bundle FILE the bundle is written there, or read from there if it exists, so that
repeated runs skip building it.
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


def _verify(path: Path) -> tuple[subprocess.CompletedProcess[str], float, float, float]:
    """Run the verifier on path; return its outcome, wall and CPU seconds, peak RSS in MB."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "buergervotum_verifier", str(path)],
        cwd=ROOT / "verifier",  # found there whether it is installed or not
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # Linux reports kilobytes: the largest single process among the verifier and its workers.
    return done, wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    """Print the bundle size and the verifier's wall time, CPU time and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--bundle", type=Path, help="keep the bundle here, or reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.bundle or Path(folder) / "bundle.json"
        started = time.perf_counter()
        if not path.exists():
            data = bundle(ballots(args.ballots))
            path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            del data
        built = time.perf_counter() - started
        size = path.stat().st_size
        done, wall, cpu, peak = _verify(path)
    if done.returncode != 0:
        raise SystemExit(f"the verifier refused the bundle: {done.stderr.strip()}")
    count = int(done.stdout.split(": ")[2].split(" ballots")[0])
    print(f"ballots:        {count:,}")
    print(f"bundle size:    {size / 1e6:.1f} MB ({size / count:.0f} bytes per ballot)")
    print(f"built in:       {built:.1f} s")
    print(f"verified in:    {wall:.1f} s wall, {cpu:.1f} s CPU  ({done.stdout.strip()})")
    print(f"peak memory:    {peak:.0f} MB (largest process)")


if __name__ == "__main__":
    main()
