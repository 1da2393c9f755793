"""Values a process keeps in memory: bounded, least recently used out first, thread-safe.

For what never changes once made (a frozen ballot definition, a log's Merkle levels, a
published chart, a page's frame) and costs a query or a rendering to make again. Only
the standard library, so counting and charts can use it without web or database code.
"""

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """Up to ``bound`` values by key; using one keeps it longest."""

    def __init__(self, bound: int) -> None:
        self._bound = bound
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = Lock()

    def get(self, key: K) -> V | None:
        """Return the value kept under ``key``, if any."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` under ``key``, letting the least recently used go beyond the bound."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            self._trim()

    def setdefault(self, key: K, make: Callable[[], V]) -> V:
        """Return the value under ``key``, made and kept first if there is none; ``make``
        runs under the lock, so it must be cheap (an empty holder, not the work itself)."""
        with self._lock:
            value = self._items.get(key)
            if value is None:
                value = self._items[key] = make()
                self._trim()
            self._items.move_to_end(key)
            return value

    def newest_first(self) -> list[V]:
        """Return the values kept, most recently used first."""
        with self._lock:
            return list(reversed(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def _trim(self) -> None:
        while len(self._items) > self._bound:
            self._items.popitem(last=False)


class KeptPerEngine(Generic[K, V]):
    """A Kept for each database engine, so a test's fresh database never sees another's."""

    def __init__(self, bound: int) -> None:
        self._bound = bound
        self._by_engine: weakref.WeakKeyDictionary[Any, Kept[K, V]] = weakref.WeakKeyDictionary()
        self._lock = Lock()

    def of(self, engine: object) -> Kept[K, V]:
        """Return the values kept for ``engine``."""
        with self._lock:
            kept = self._by_engine.get(engine)
            if kept is None:
                kept = self._by_engine[engine] = Kept(self._bound)
            return kept
