"""A job's files: private from the first byte, handed out once, swept when left behind."""

import os
import stat
import time

from voting.web.job_files import INPUT_TTL_SECONDS, OUTPUT_TTL_SECONDS, JobFiles, sweep


def test_files_are_private_and_the_output_is_taken_once(tmp_path):
    files = JobFiles(tmp_path, 7)
    previous = os.umask(0o022)  # a usual umask, which leaves new files readable by everyone
    try:
        files.write_input(b"register")
        files.write_output(b"letters" * 1000)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(files.folder.stat().st_mode) == 0o700
    for name in ("input", "output"):
        assert stat.S_IMODE((files.folder / name).stat().st_mode) == 0o600
    assert files.read_input() == b"register"
    taken = files.take_output()
    assert files.take_output() is None and not files.has_output()
    assert taken is not None
    size, chunks = taken
    assert size == 7000 and b"".join(chunks) == b"letters" * 1000
    assert sorted(path.name for path in files.folder.iterdir()) == ["input"]
    files.remove_inputs()
    assert not files.folder.exists()


def test_the_sweep_removes_what_outlived_its_time(tmp_path):
    old, fresh = JobFiles(tmp_path, 1), JobFiles(tmp_path, 2)
    for files in (old, fresh):
        files.write_input(b"register")
        files.write_pending(b"[]")
        files.write_output(b"letters")
    now = time.time()
    past = now - INPUT_TTL_SECONDS - 1
    for name in ("input", "pending", "output"):
        os.utime(old.folder / name, (past, past))
    later = now - OUTPUT_TTL_SECONDS - 1
    os.utime(fresh.folder / "output", (later, later))
    assert not fresh.has_output() and fresh.take_output() is None  # too late to hand out
    assert sweep(tmp_path, now) == 4
    assert not old.folder.exists()
    assert sorted(path.name for path in fresh.folder.iterdir()) == ["input", "pending"]
