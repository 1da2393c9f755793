"""A published chart is rendered once per process, and the cache stays bounded."""

from results import chart_cache
from results.chart_cache import MAX_CHARTS, cached_chart


def test_a_chart_is_rendered_once_and_the_oldest_leaves_first():
    renders: list[int] = []

    def render(n: int) -> bytes:
        renders.append(n)
        return f"<svg>{n}</svg>".encode()

    assert cached_chart(("test", 0), lambda: render(0)) == b"<svg>0</svg>"
    assert cached_chart(("test", 0), lambda: render(0)) == b"<svg>0</svg>"
    assert renders == [0]
    for n in range(1, MAX_CHARTS + 1):
        cached_chart(("test", n), lambda n=n: render(n))
    assert ("test", 0) not in chart_cache._charts and len(chart_cache._charts) == MAX_CHARTS
    cached_chart(("test", 0), lambda: render(0))
    assert renders.count(0) == 2
