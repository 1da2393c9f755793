"""A job's files in the jobs folder: the upload it reads, what it writes, handed out once.

Each job has a folder of its own (``<JOBS_FOLDER>/<job id>/``, mode 0700) with at most
three files, each created 0600 and written under a temporary name first, so a reader
never sees half a file:

- ``input``: what the request handed over (a register upload), deleted once used;
- ``pending``: what the job needs to finish after a restart (the letters' data),
  deleted once the output is written;
- ``output``: the finished file (the letters), handed out once and deleted as it is
  taken, or after ``OUTPUT_TTL_SECONDS``.

The folder is shared by the web servers and the job worker, so it may hold names and
addresses for as long as a job needs them; ``sweep`` removes whatever outlived its time.
"""

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

# Letters wait this long for their download, as they did in memory before.
OUTPUT_TTL_SECONDS = 3600
# An upload or a job's pending data older than this belongs to a job that never ran or
# never finished; names and addresses must not wait on disk for a worker that never comes.
INPUT_TTL_SECONDS = 24 * 3600
CHUNK = 1024 * 1024


class JobFiles:
    """The files of one job."""

    def __init__(self, root: Path | str, job_id: int) -> None:
        self.folder = Path(root) / str(int(job_id))

    def _write(self, name: str, data: bytes) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self.folder / name
        partial = self.folder / f".{name}.{uuid.uuid4().hex}"
        # Readable by the owner only from the first byte on, never widened by the umask.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)

    def _read(self, name: str) -> bytes | None:
        try:
            return (self.folder / name).read_bytes()
        except FileNotFoundError:
            return None

    def write_input(self, data: bytes) -> None:
        """Keep what the job is to read."""
        self._write("input", data)

    def read_input(self) -> bytes | None:
        """Return the job's input, or None if it is gone."""
        return self._read("input")

    def write_pending(self, data: bytes) -> None:
        """Keep what the job needs to finish should it be restarted."""
        self._write("pending", data)

    def read_pending(self) -> bytes | None:
        """Return the job's pending data, or None if it is gone."""
        return self._read("pending")

    def write_output(self, data: bytes) -> None:
        """Keep the job's finished file for its download."""
        self._write("output", data)

    def has_output(self) -> bool:
        """Tell whether the finished file waits for its download."""
        path = self.folder / "output"
        try:
            return time.time() - path.stat().st_mtime <= OUTPUT_TTL_SECONDS
        except FileNotFoundError:
            return False

    def take_output(self) -> tuple[int, Iterator[bytes]] | None:
        """Take the finished file once: return its size and chunks, deleting it as it is read.

        Taken by renaming it to a name of this call's own, so that of two requests at the
        same moment only one gets it.
        """
        if not self.has_output():
            return None
        taken = self.folder / f".taken.{uuid.uuid4().hex}"
        try:
            (self.folder / "output").rename(taken)
        except FileNotFoundError:
            return None
        handle = taken.open("rb")
        # Gone from the folder now; the open handle still reads it to the end.
        taken.unlink()
        size = os.fstat(handle.fileno()).st_size

        def chunks() -> Iterator[bytes]:
            with handle:
                while block := handle.read(CHUNK):
                    yield block

        return size, chunks()

    def remove_inputs(self) -> None:
        """Delete the upload and the pending data: the job no longer needs them."""
        for name in ("input", "pending"):
            (self.folder / name).unlink(missing_ok=True)
        self._remove_if_empty()

    def remove_all(self) -> None:
        """Delete every file of the job."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def _remove_if_empty(self) -> None:
        try:
            self.folder.rmdir()
        except OSError:
            pass


def sweep(root: Path | str, now: float | None = None) -> int:
    """Delete outputs past their time and inputs a job never came for; return how many."""
    now = time.time() if now is None else now
    removed = 0
    root = Path(root)
    if not root.is_dir():
        return 0
    for folder in root.iterdir():
        if not folder.is_dir() or not folder.name.isdigit():
            continue
        for path in folder.iterdir():
            limit = OUTPUT_TTL_SECONDS if path.name == "output" else INPUT_TTL_SECONDS
            try:
                if now - path.stat().st_mtime > limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        JobFiles(root, int(folder.name))._remove_if_empty()
    return removed
