"""Warm render time per chart type, beside an empty Figure saved the same way.

    python -m bench.charts --repeat 20

Each counting method's result (counted from sample ballots) is drawn as the results page
draws it (results.presentation), as SVG and as PNG; the baseline saves an empty Figure
of the same width through the same renderer. Times are medians of warm renders.
"""

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from ballots.content import METHOD_SHAPES
from results.charts import WIDTH_IN, render_png, render_svg
from results.methods import count

OPTIONS = [("garten", "Gemeinschaftsgarten"), ("spiel", "Spielplatz"), ("park", "Parkplätze")]
OPTIONS += [(f"p{i}", f"Projekt {i}: neue Bänke und Bäume am Weiher") for i in range(3)]
SAMPLE_BALLOTS = 1000
GRADES = ["Ablehnen", "Ausreichend", "Gut", "Sehr gut"]


def sample_question(method: str, seed: int = 3) -> dict[str, Any]:
    """Return a stored result question for ``method``, counted from random sample ballots."""
    rng = random.Random(seed)
    options = [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]
    if method != "yes_no":
        options = OPTIONS
    keys = [key for key, _ in options]
    shape = METHOD_SHAPES.get(method)
    params: dict[str, Any] = {}
    if shape == "choice":
        ballots: list[Any] = [rng.choice(keys) for _ in range(SAMPLE_BALLOTS)]
    elif shape == "approval":
        ballots = [rng.sample(keys, rng.randint(1, 3)) for _ in range(SAMPLE_BALLOTS)]
    elif shape == "grades":
        params["grades"] = GRADES
        ballots = [{key: rng.randrange(len(GRADES)) for key in keys} for _ in range(SAMPLE_BALLOTS)]
    else:
        # Rankings: a full random order of the options.
        ballots = [rng.sample(keys, len(keys)) for _ in range(SAMPLE_BALLOTS)]
    if method.startswith("pb_"):
        params.update(budget=100_000, costs={key: 20_000 + 5_000 * i for i, key in enumerate(keys)})
    if method == "stv":
        params["seats"] = 2
    outcome = count(method, keys, iter(ballots), **params)
    return {
        "key": method,
        "text": f"Beispielfrage ({method})",
        "method": method,
        "options": [{"key": key, "label": label} for key, label in options],
        "winners": outcome.winners,
        "ranking": outcome.ranking,
        "details": outcome.details,
    }


def median_ms(render: Callable[[], bytes], repeat: int) -> tuple[float, int]:
    """Render once to warm up, then ``repeat`` times; return the median ms and the size."""
    size = len(render())
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        render()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, size


def measure(repeat: int, methods: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Time every chart type and the baseline; return ms and bytes per type and format."""
    from results.presentation import chart_bytes, figures
    from voting.app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "PSEUDONYM_KEY": "bench",
            "DATABASE_URL": "sqlite://",
        }
    )
    figures_by_type: dict[str, dict[str, float]] = {}
    empty = Figure(figsize=(WIDTH_IN, 3))
    for fmt, save in (("svg", render_svg), ("png", render_png)):
        ms, size = median_ms(lambda save=save: save(empty), repeat)
        figures_by_type[f"baseline (empty Figure) {fmt}"] = {"ms": ms, "bytes": size}
    with app.test_request_context():
        for method in methods or sorted(METHOD_SHAPES):
            try:
                figs = figures(sample_question(method))
            except Exception as exc:  # a method without a chart yet is reported, not fatal
                figures_by_type[f"{method}: skipped ({type(exc).__name__}: {exc})"] = {}
                continue
            for fmt in ("svg", "png"):
                ms, size = median_ms(lambda f=figs, fmt=fmt: chart_bytes(f, fmt), repeat)
                figures_by_type[f"{method} {fmt}"] = {"ms": ms, "bytes": size}
    return figures_by_type


def report(figures_by_type: dict[str, dict[str, float]], repeat: int) -> str:
    """Return the times with the ratio to the baseline of the same format."""
    lines = [
        f"chart render time, median of {repeat} warm renders",
        f"{'':30}{'ms':>8}{'KiB':>8}{'ratio':>8}",
    ]
    for name, row in figures_by_type.items():
        if not row:
            lines.append(name)
            continue
        fmt = name.rsplit(" ", 1)[1]
        base = figures_by_type[f"baseline (empty Figure) {fmt}"]["ms"]
        lines.append(f"{name:30}{row['ms']:8.1f}{row['bytes'] / 1024:8.1f}{row['ms'] / base:8.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Parse the command line, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="warm renders per chart type")
    args = parser.parse_args(argv)
    figures_by_type = measure(args.repeat)
    print(report(figures_by_type, args.repeat))
    return figures_by_type


if __name__ == "__main__":
    main()
