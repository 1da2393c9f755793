"""Rendered charts of published results, kept per process.

A published result never changes, so neither do its charts; rendering one costs
50–200 ms of matplotlib, which on publication day would otherwise run for every
reader. The cache is bounded, least recently used out first.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

MAX_CHARTS = 256

_charts: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = Lock()


def cached_chart(key: Hashable, render: Callable[[], bytes]) -> bytes:
    """Return the chart stored under ``key``, rendering and keeping it on first use."""
    with _lock:
        if key in _charts:
            _charts.move_to_end(key)
            return _charts[key]
    # Rendered outside the lock: two first readers may both render, never wait on each other.
    body = render()
    with _lock:
        _charts[key] = body
        _charts.move_to_end(key)
        while len(_charts) > MAX_CHARTS:
            _charts.popitem(last=False)
    return body
