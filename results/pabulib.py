"""The Pabulib `.pb` format of participatory-budgeting instances, read and written.

A file has three sections, each a header line (META, PROJECTS, VOTES) followed by
";"-separated rows whose first row names the columns (META: key;value). Fields may be quoted
with '"'. In VOTES, `vote` lists project ids separated by ","; for vote_type "ordinal" in order
of preference, for "cumulative" and "scoring" a `points` column gives the points in the same
order. See pabulib.org for the format and the published instances.
"""

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SECTIONS = ("META", "PROJECTS", "VOTES")


class PabulibError(ValueError):
    """A file that is not in the Pabulib format; the message names the line."""


@dataclass
class PabulibInstance:
    """One participatory-budgeting instance: metadata, projects and votes as text fields."""

    meta: dict[str, str] = field(default_factory=dict)
    projects: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> columns
    votes: list[dict[str, str]] = field(default_factory=list)  # each with voter_id, vote

    @property
    def budget(self) -> int:
        """Return the budget as whole currency units."""
        return _whole(self.meta.get("budget", ""), "META budget")

    @property
    def costs(self) -> dict[str, int]:
        """Return each project's cost in whole currency units."""
        return {
            pid: _whole(p.get("cost", ""), f"cost of project {pid}")
            for pid, p in self.projects.items()
        }

    def ballots(self) -> Iterator[list[str]]:
        """Yield each voter's chosen projects (in preference order for ordinal votes)."""
        for vote in self.votes:
            text = vote.get("vote", "").strip()
            yield [item.strip() for item in text.split(",") if item.strip()] if text else []


def _whole(text: str, what: str) -> int:
    try:
        # Costs in Pabulib files are whole units, sometimes written with a ".0".
        value = float(text) if "." in text else int(text)
    except ValueError:
        raise PabulibError(f"{what}: not a number: {text!r}") from None
    if value != int(value):
        raise PabulibError(f"{what}: not a whole amount: {text!r}")
    return int(value)


def read_pb(text: str) -> PabulibInstance:
    """Parse the text of a `.pb` file."""
    instance = PabulibInstance()
    section: str | None = None
    header: list[str] | None = None
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";", quotechar='"')
    for number, row in enumerate(rows, 1):
        if not row or not any(cell.strip() for cell in row):
            continue
        first = row[0].strip()
        if len(row) == 1 and first.upper() in SECTIONS:
            section, header = first.upper(), None
            continue
        if section is None:
            raise PabulibError(f"line {number}: data before the META section")
        if header is None:
            header = [cell.strip() for cell in row]
            continue
        cells = [cell.strip() for cell in row]
        if section == "META":
            if len(cells) < 2:
                raise PabulibError(f"line {number}: META rows are key;value")
            instance.meta[cells[0]] = ";".join(cells[1:])
            continue
        if len(cells) != len(header):
            raise PabulibError(
                f"line {number}: {len(cells)} fields where the {section} header has {len(header)}"
            )
        record = dict(zip(header, cells, strict=True))
        if section == "PROJECTS":
            pid = record.get("project_id", "")
            if not pid or pid in instance.projects:
                raise PabulibError(f"line {number}: missing or repeated project_id {pid!r}")
            instance.projects[pid] = record
        else:
            instance.votes.append(record)
    if not instance.projects:
        raise PabulibError("no PROJECTS section with projects")
    for i, ballot in enumerate(instance.ballots()):
        unknown = set(ballot) - set(instance.projects)
        if unknown:
            raise PabulibError(f"vote {i + 1}: unknown projects {', '.join(sorted(unknown))}")
    return instance


def write_pb(instance: PabulibInstance) -> str:
    """Return `instance` as the text of a `.pb` file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\n")
    meta = dict(instance.meta)
    meta.setdefault("num_projects", str(len(instance.projects)))
    meta.setdefault("num_votes", str(len(instance.votes)))
    buffer.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])
    buffer.write("PROJECTS\n")
    project_columns = _columns(instance.projects.values(), ["project_id", "cost"])
    writer.writerow(project_columns)
    for record in instance.projects.values():
        writer.writerow([record.get(c, "") for c in project_columns])
    buffer.write("VOTES\n")
    vote_columns = _columns(instance.votes, ["voter_id", "vote"])
    writer.writerow(vote_columns)
    for record in instance.votes:
        writer.writerow([record.get(c, "") for c in vote_columns])
    return buffer.getvalue()


def _columns(records: Any, first: list[str]) -> list[str]:
    columns = list(first)
    for record in records:
        for name in record:
            if name not in columns:
                columns.append(name)
    return columns


def approval_instance(
    *,
    meta: Mapping[str, str],
    projects: Sequence[tuple[str, str, int]],
    ballots: Iterator[list[str] | None],
    funded: Sequence[str] = (),
) -> PabulibInstance:
    """Return an approval instance: projects as (id, name, cost), blank ballots left out."""
    votes = dict.fromkeys((pid for pid, _name, _cost in projects), 0)
    records: list[dict[str, str]] = []
    for ballot in ballots:
        if not ballot:
            continue
        for pid in ballot:
            votes[pid] += 1
        records.append({"voter_id": str(len(records) + 1), "vote": ",".join(ballot)})
    chosen = set(funded)
    return PabulibInstance(
        meta={**meta, "vote_type": "approval"},
        projects={
            pid: {
                "project_id": pid,
                "cost": str(cost),
                "votes": str(votes[pid]),
                "name": name,
                "selected": "1" if pid in chosen else "0",
            }
            for pid, name, cost in projects
        },
        votes=records,
    )
