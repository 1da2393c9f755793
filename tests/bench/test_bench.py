"""Every benchmark runs once at a tiny size and prints figures that add up, so none rots."""

import os
import shutil
import subprocess

import pytest

from ballots.content import METHOD_SHAPES
from bench import casting, charts, checks, soak, tally_memory
from bench import instructions as instruction_counts
from bench import profile as profiling


@pytest.fixture(params=["sqlite", "postgresql"])
def bench_url(request: pytest.FixtureRequest) -> str:
    """Return "" for SQLite in a temporary directory, or the PostgreSQL test database."""
    if request.param == "sqlite":
        return ""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    return url


def test_casting_prints_votes_per_second_beside_the_baseline(bench_url, capsys):
    argv = ["--rounds", "2", "--seconds", "1.5", "--voters", "3000", "--database-url", bench_url]
    run = casting.main(argv)
    out = capsys.readouterr().out
    assert "median ratio casting / baseline" in out
    assert len(run.rounds) == 2
    # Rates need answers after the warm-up, which a busy machine may not give in 1.5 s;
    # 3,000 codes outlast two rounds at the rates of a quiet one (about 500 votes/s).
    accepted = run.receipts()
    for load in run.rounds:
        assert load.baseline.ok() and load.casting.ok()
        assert load.baseline_cpu_ms > 0 and load.casting_cpu_ms > 0
        assert len(load.casting.ok()) == len(load.casting.samples) and not load.casting.errors
    assert run.ballots == run.marks == accepted
    assert f"stored: {accepted} ballots, {accepted} participation marks" in out


def test_casting_at_a_steady_rate_serves_voters_as_they_arrive(bench_url, capsys):
    argv = ["--rounds", "1", "--seconds", "2", "--voters", "1000", "--rate", "20"]
    run = casting.main([*argv, "--database-url", bench_url])
    for load in (run.rounds[0].baseline, run.rounds[0].casting):
        # 20 voters a second for 2 s: about 40, never more, each timed from arrival.
        assert 30 <= len(load.samples) <= 40
        assert all(sample.seconds > 0 for sample in load.samples)
    assert run.ballots == run.marks == run.receipts()


def test_tally_memory_counts_every_seeded_ballot(bench_url, capsys):
    figures = tally_memory.main(["--ballots", "3000", "--database-url", bench_url])
    assert "ratio tally / baseline" in capsys.readouterr().out
    assert figures["baseline"]["details"] == {"ballots": 3000}
    details = figures["tally"]["details"]
    assert details["ballots"] + details["blank"] == 3000
    assert figures["tally"]["peak"] >= figures["tally"]["before"] > 0


def test_checks_prints_receipt_checks_per_second_beside_the_baseline(bench_url, capsys):
    figures = checks.main(["--ballots", "300", "--seconds", "0.3", "--database-url", bench_url])
    out = capsys.readouterr().out
    assert "ratio checks / baseline" in out and "first (cold) check" in out
    assert figures.ballots == 300 and figures.checks > 0
    assert figures.checks_per_second > 0 and figures.baseline_per_second > 0
    assert figures.cold_seconds > 0


def test_charts_times_every_chart_type_in_both_formats(capsys):
    figures = charts.main(["--repeat", "1"])
    out = capsys.readouterr().out
    assert "skipped" not in out
    for method in METHOD_SHAPES:
        for fmt in ("svg", "png"):
            assert figures[f"{method} {fmt}"]["ms"] > 0
            assert figures[f"{method} {fmt}"]["bytes"] > 0


def test_soak_finds_every_ballot_and_receipt(bench_url, capsys):
    status = soak.main(["--minutes", "0.04", "--voters", "300", "--database-url", bench_url])
    out = capsys.readouterr().out
    assert "FAIL" not in out, out
    assert status == 0
    assert out.count("ok ") == 5


def test_profile_times_the_cast_path(capsys):
    per_cast = profiling.profile_cast("", votes=5)
    out = capsys.readouterr().out
    assert per_cast > 0
    assert "ballots/views.py" in out and "ms per cast" in out
    assert "the baseline app's POST" in out and "ratio" in out


@pytest.mark.parametrize("side", instruction_counts.SIDES)
def test_instruction_counting_runs_both_sides(bench_url, side):
    instruction_counts.post(side, bench_url, count=2)  # refuses anything but 200


def test_instruction_counts_are_read_from_cachegrind():
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    done = subprocess.run([*command, "/bin/true"], capture_output=True, check=True)
    assert 1000 < instruction_counts.refs(done.stderr) < 10**9
    with pytest.raises(ValueError):
        instruction_counts.refs(b"no summary")
