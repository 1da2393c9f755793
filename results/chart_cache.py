"""Rendered charts of published results, kept per process.

A published result never changes, so neither do its charts; rendering one costs
50–200 ms of matplotlib, which on publication day would otherwise run for every
reader. The cache is bounded, least recently used out first.
"""

from collections.abc import Callable, Hashable
from threading import Lock

from cachetools import LRUCache

MAX_CHARTS = 256

_charts: LRUCache[Hashable, bytes] = LRUCache(MAX_CHARTS)
_lock = Lock()


def cached_chart(key: Hashable, render: Callable[[], bytes]) -> bytes:
    """Return the chart stored under ``key``, rendering and keeping it on first use."""
    with _lock:
        body = _charts.get(key)
    if body is None:
        # Rendered outside the lock: two first readers may both render, never wait on each other.
        body = render()
        with _lock:
            _charts[key] = body
    return body
