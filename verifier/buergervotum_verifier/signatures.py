"""Ed25519 checks, gathered while the other checks run and verified by one process per core.

A bundle carries a signed tree head per ballot, and one Ed25519 check costs about 0.1 ms:
100,000 ballots are ten seconds on one core. Inside ``gathered()`` a call to ``check`` only
queues its signature; full chunks go to worker processes while this process goes on with the
other checks. When the block ends, normally or with the VerificationError of a later check,
every queued signature is verified, and if one does not verify, the failure of the first
such is raised instead: it was asked for first, so the result is what checking each
signature where it is asked for gives, only sooner. Outside ``gathered()``, ``check``
verifies at once. Fewer than POOL_FROM signatures are verified in this process, where
starting workers would cost more than it saves.
"""

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from contextvars import ContextVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from buergervotum_verifier.errors import VerificationError

Item = tuple[bytes, bytes, bytes]  # raw public key (32 bytes), signature, signed message

CHUNK = 2_000  # signatures per task: about 0.2 s of work, so that a worker is never idle long
POOL_FROM = 4_000  # below this a pool costs more than it saves (measured in docs/performance.md)


def verify_all(items: Sequence[Item]) -> int | None:
    """Return the position of the first item whose signature does not verify, or None."""
    keys: dict[bytes, Ed25519PublicKey] = {}
    for position, (raw, signature, message) in enumerate(items):
        key = keys.get(raw)
        if key is None:
            key = keys[raw] = Ed25519PublicKey.from_public_bytes(raw)
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return position
    return None


class _Batch:
    """The signatures asked for so far, in order: queued, or handed to the workers in chunks."""

    def __init__(self) -> None:
        self.queued: list[Item] = []
        self.failures: list[str] = []  # the failure to raise for each item, in order
        self.chunks: list[tuple[int, Future[int | None]]] = []  # where each starts, its answer
        self.pool: ProcessPoolExecutor | None = None
        self.pool_failed = False

    def add(self, item: Item, failure: str) -> None:
        self.queued.append(item)
        self.failures.append(failure)
        if len(self.queued) >= (CHUNK if self.pool else POOL_FROM) and not self.pool_failed:
            self._hand_over()

    def _workers(self) -> ProcessPoolExecutor | None:
        """Return the worker pool, starting it the first time; None where there can be none."""
        if self.pool is None and not self.pool_failed:
            workers = os.cpu_count() or 1
            # spawn: workers start small, not as copies of this process and the bundle it holds.
            context = multiprocessing.get_context("spawn")
            try:
                self.pool = (
                    ProcessPoolExecutor(workers, mp_context=context) if workers > 1 else None
                )
            except (OSError, NotImplementedError):  # no process pools here (a sandbox)
                pass
            self.pool_failed = self.pool is None
        return self.pool

    def _hand_over(self) -> None:
        """Send the queued items to the workers in chunks (or keep them, if there are none)."""
        pool = self._workers()
        if pool is None:
            return
        start = len(self.failures) - len(self.queued)
        for offset in range(0, len(self.queued), CHUNK):
            chunk = self.queued[offset : offset + CHUNK]
            try:
                self.chunks.append((start + offset, pool.submit(verify_all, chunk)))
            except (OSError, RuntimeError):  # the workers would not start: verify here
                self.pool_failed = True
                self.queued = self.queued[offset:]
                return
        self.queued = []

    def first_failure(self) -> str | None:
        """Verify what is still queued, wait for every chunk; return the first failure or None."""
        if self.pool is not None:
            self._hand_over()
        for start, future in self.chunks:
            try:
                position = future.result()
            except BrokenProcessPool:
                raise VerificationError(
                    "the signatures could not all be checked: a worker process stopped "
                    "(out of memory?)"
                ) from None
            if position is not None:
                return self.failures[start + position]
        # Fewer than POOL_FROM, or no workers to be had: verified in this process.
        position = verify_all(self.queued)
        if position is not None:
            return self.failures[len(self.failures) - len(self.queued) + position]
        return None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


_BATCH: ContextVar[_Batch | None] = ContextVar("signature_batch", default=None)


@contextmanager
def gathered() -> Iterator[None]:
    """Verify the signatures checked in this block together; raise the first failure at its end."""
    batch = _Batch()
    token = _BATCH.set(batch)
    try:
        yield
        failure = batch.first_failure()
    except VerificationError:
        # A later check failed; a signature asked for before it was checked first.
        failure = batch.first_failure()
        if failure is None:
            raise
    finally:
        _BATCH.reset(token)
        batch.close()
    if failure is not None:
        raise VerificationError(failure)


def check(key: Ed25519PublicKey, signature: bytes, message: bytes, failure: str) -> None:
    """Raise VerificationError(failure) unless ``signature`` is ``key``'s over ``message``.

    Inside ``gathered()`` the check is queued, and the error raised when the block ends.
    """
    batch = _BATCH.get()
    if batch is not None:
        batch.add((key.public_bytes_raw(), signature, message), failure)
        return
    try:
        key.verify(signature, message)
    except InvalidSignature:
        raise VerificationError(failure) from None
