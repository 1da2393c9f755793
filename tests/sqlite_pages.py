"""Read a SQLite database file and its WAL byte by byte, as an insider with copies would.

Only what the storage attacks need (https://www.sqlite.org/fileformat2.html): b-tree
pages, their cells and records, and the frames of a write-ahead log, including the
frames of earlier generations that a restarted WAL has not yet overwritten.
"""

import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INTERIOR_INDEX, INTERIOR_TABLE, LEAF_INDEX, LEAF_TABLE = 0x02, 0x05, 0x0A, 0x0D
WAL_HEADER = 32
FRAME_HEADER = 24


def varint(data: bytes, at: int) -> tuple[int, int]:
    """Return the varint at ``at`` and the offset after it."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def record(data: bytes, at: int) -> list[Any]:
    """Decode the record (a row's columns) that starts at ``at``."""
    header_size, cursor = varint(data, at)
    types = []
    while cursor < at + header_size:
        serial, cursor = varint(data, cursor)
        types.append(serial)
    body = at + header_size
    values: list[Any] = []
    for serial in types:
        if serial in (0, 8, 9):
            values.append(None if serial == 0 else serial - 8)
            continue
        if 1 <= serial <= 6:
            size = (1, 2, 3, 4, 6, 8)[serial - 1]
            values.append(int.from_bytes(data[body : body + size], "big", signed=True))
        elif serial == 7:
            size = 8
            values.append(struct.unpack(">d", data[body : body + 8])[0])
        else:
            size = (serial - 12) // 2
            chunk = data[body : body + size]
            values.append(chunk.decode("utf-8", "replace") if serial % 2 else chunk)
        body += size
    return values


@dataclass(frozen=True)
class Cell:
    """One cell of a b-tree page: where its bytes are, its row id (tables) and its record."""

    offset: int
    rowid: int | None
    values: list[Any]
    child: int | None  # interior pages: the page left of this key


@dataclass(frozen=True)
class Page:
    """A b-tree page as stored: its type, cells in key order and right-most child."""

    number: int
    kind: int
    cells: list[Cell]
    right_child: int | None


def parse_page(data: bytes, number: int) -> Page | None:
    """Return the b-tree page in ``data`` (one page's bytes), or None if it is none."""
    start = 100 if number == 1 else 0
    kind = data[start]
    if kind not in (INTERIOR_INDEX, INTERIOR_TABLE, LEAF_INDEX, LEAF_TABLE):
        return None
    count = int.from_bytes(data[start + 3 : start + 5], "big")
    interior = kind in (INTERIOR_INDEX, INTERIOR_TABLE)
    right = int.from_bytes(data[start + 8 : start + 12], "big") if interior else None
    pointers = start + (12 if interior else 8)
    cells = []
    try:
        for i in range(count):
            offset = int.from_bytes(data[pointers + 2 * i : pointers + 2 * i + 2], "big")
            cursor, child, rowid, values = offset, None, None, []
            if interior:
                child = int.from_bytes(data[cursor : cursor + 4], "big")
                cursor += 4
            if kind == INTERIOR_TABLE:
                rowid, cursor = varint(data, cursor)
            else:
                _size, cursor = varint(data, cursor)
                if kind == LEAF_TABLE:
                    rowid, cursor = varint(data, cursor)
                values = record(data, cursor)
            cells.append(Cell(offset, rowid, values, child))
    except (IndexError, ValueError):
        return None  # not a b-tree page after all (a freelist or overflow page)
    return Page(number, kind, cells, right)


def file_pages(path: Any) -> tuple[int, dict[int, bytes]]:
    """Return the page size and every page of a database file, by page number."""
    data = Path(path).read_bytes()
    size = int.from_bytes(data[16:18], "big")
    size = 65536 if size == 1 else size
    return size, {n + 1: data[n * size : (n + 1) * size] for n in range(len(data) // size)}


@dataclass(frozen=True)
class Frame:
    """One WAL frame: the page it holds, whether it ends a commit, and its generation."""

    position: int
    page_number: int
    commits: bool
    salt: tuple[int, int]
    page: bytes


def wal_frames(data: bytes) -> tuple[int, list[Frame]]:
    """Return the WAL's page size and every frame in it, also those of older generations.

    A restarted WAL is written again from its start; frames beyond the new write
    position keep the salts of the generation that wrote them.
    """
    if len(data) < WAL_HEADER:
        return 0, []
    size = int.from_bytes(data[8:12], "big")
    frames = []
    position, at = 0, WAL_HEADER
    while at + FRAME_HEADER + size <= len(data):
        page_number, commit, salt1, salt2 = struct.unpack(">IIII", data[at : at + 16])
        page = data[at + FRAME_HEADER : at + FRAME_HEADER + size]
        frames.append(Frame(position, page_number, commit != 0, (salt1, salt2), page))
        position += 1
        at += FRAME_HEADER + size
    return size, frames


def commits_in_time_order(frames: list[Frame]) -> Iterator[list[Frame]]:
    """Yield the frames of each commit, oldest first.

    Salt 1 grows by one at each restart of the WAL, so it orders the generations;
    within one, frames are written in order. A commit is the frames up to one that
    marks its end.
    """
    ordered = sorted(frames, key=lambda f: (f.salt[0], f.position))
    pending: list[Frame] = []
    salt = None
    for frame in ordered:
        if frame.salt != salt:
            pending, salt = [], frame.salt
        pending.append(frame)
        if frame.commits:
            yield pending
            pending = []


def btree_entries(pages: Mapping[int, bytes], root: int) -> list[tuple[int, Cell]]:
    """Return the entries of the b-tree rooted at ``root`` with the page each sits on.

    Table b-trees keep their rows in leaves only; index b-trees (and so tables WITHOUT
    ROWID) keep an entry in each cell, interior ones too.
    """
    entries: list[tuple[int, Cell]] = []
    todo, seen = [root], set()
    while todo:
        number = todo.pop()
        if number in seen or number not in pages:
            continue
        seen.add(number)
        page = parse_page(pages[number], number)
        if page is None:
            continue
        if page.kind != INTERIOR_TABLE:
            entries.extend((number, cell) for cell in page.cells)
        if page.kind in (INTERIOR_INDEX, INTERIOR_TABLE):
            children = [cell.child for cell in page.cells] + [page.right_child]
            todo.extend(child for child in children if child)
    return entries


def btree_page_numbers(pages: Mapping[int, bytes], root: int) -> set[int]:
    """Return the numbers of every page of the b-tree rooted at ``root``, interior ones too."""
    numbers: set[int] = set()
    todo = [root]
    while todo:
        number = todo.pop()
        if number in numbers or number not in pages:
            continue
        numbers.add(number)
        page = parse_page(pages[number], number)
        if page is not None and page.kind in (INTERIOR_INDEX, INTERIOR_TABLE):
            todo.extend(cell.child for cell in page.cells if cell.child)
            todo.extend([page.right_child] if page.right_child else [])
    return numbers


def root_pages(pages: Mapping[int, bytes]) -> dict[str, int]:
    """Return the root page of each table and index, as the schema on page 1 names them."""
    return {
        cell.values[1]: cell.values[3]
        for _number, cell in btree_entries(pages, 1)
        if len(cell.values) == 5 and cell.values[0] in ("table", "index")
    }
