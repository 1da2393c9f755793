"""Paper counts beside the online result: the count protocol and the combined figures.

The combined outcome of each question is counted by the question's own method
(results.methods), fed with the online and the confirmed paper figures. The protocol is
published with small cells suppressed (results.cells): a district's figures are hidden in
every question alike where its paper ballots, or the hidden group's, are too few.
"""

from collections.abc import Iterator, Mapping
from itertools import repeat
from typing import Any

from sqlmodel import Session, func, select

from ballots.models import PaperMark
from results.cells import hidden_cells
from results.methods import count
from results.models import PaperCount
from voting.core.models import Consultation, Voter

# Methods whose paper ballots can be counted as totals per option; a ranking, grades or a
# budget cannot be summed, so those questions count the online ballots alone.
COUNTABLE_METHODS = ("yes_no", "single", "approval")


def paper_marks_by_district(*, session: Session, consultation_id: int) -> dict[str, int]:
    """Return how many paper ballots were accepted in each district."""
    rows = session.exec(
        select(Voter.district, func.count())
        .select_from(PaperMark)
        .join(Voter, Voter.id == PaperMark.voter_id)
        .where(PaperMark.consultation_id == consultation_id)
        .group_by(Voter.district)
    )
    return dict(rows.all())


def paper_total(method: str, figures: Mapping[str, int]) -> int:
    """Return how many paper ballots a count of a question with this method covers."""
    if method == "approval":
        return figures["voted"] + figures["blank"] + figures["invalid"]
    return sum(figures.values())


def _answers(counts: Mapping[str, int], blank: int, as_list: bool) -> Iterator[Any]:
    """Yield one answer per counted mark (a one-element list for approval), then the blanks."""
    for option, n in counts.items():
        yield from repeat([option] if as_list else option, n)
    yield from repeat(None, blank)


def combine_question(
    question: Mapping[str, Any], paper: Mapping[str, int], eligible: int
) -> dict[str, Any]:
    """Return the combined counts and outcome of one question of a stored result."""
    method = question["method"]
    details = question["details"]
    options = [option["key"] for option in question["options"]]
    counts = {key: details["counts"][key] + paper.get(key, 0) for key in options}
    blank = details.get("blank", 0) + paper.get("blank", 0)
    params: dict[str, Any] = {}
    if method == "yes_no" and "quorum" in details:
        params = {"quorum": details["quorum"]["rule"], "eligible": eligible}
    outcome = count(method, options, _answers(counts, blank, method == "approval"), **params)
    combined = dict(outcome.details)
    if method == "approval":
        # Totals per option cannot say how many ballots marked any: both channels counted that.
        combined["ballots"] = details["ballots"] + paper.get("voted", 0)
        combined["blank"] = blank
    return {"winners": outcome.winners, "ranking": outcome.ranking, "details": combined}


def paper_protocol(*, session: Session, consultation: Consultation) -> list[dict[str, Any]]:
    """Return the confirmed paper counts, per district and question, as entered."""
    rows = session.exec(
        select(PaperCount)
        .where(PaperCount.consultation_id == consultation.id, PaperCount.confirmed_by.is_not(None))
        .order_by(PaperCount.district, PaperCount.question_key)
    )
    return [
        {
            "district": row.district,
            "question": row.question_key,
            "figures": row.figures,
            "confirmed_at": row.confirmed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            if row.confirmed_at
            else None,
        }
        for row in rows
    ]


def hidden_districts(
    protocol: list[dict[str, Any]], methods: Mapping[str, str], minimum: int
) -> set[str]:
    """Return the districts whose paper counts are not published (results.cells).

    A confirmed count covers exactly its district's paper ballots, so each district has one
    size in every question, and is hidden in all of them alike: a district hidden in one
    question but shown in another would let one give the other away.
    """
    sizes: dict[str, int] = {}
    for entry in protocol:
        size = paper_total(methods.get(entry["question"], ""), entry["figures"])
        sizes[entry["district"]] = max(sizes.get(entry["district"], 0), size)
    names = sorted(sizes)
    return {names[i] for i in hidden_cells([sizes[name] for name in names], minimum)}


def paper_section(
    *, session: Session, consultation: Consultation, data: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Return the paper channel's part of a published result; None where nothing came by post.

    ``data`` is the stored online result; its turnout names the minimum cell. Only
    confirmed counts are used; a question is combined once every district with paper
    ballots has a confirmed count.
    """
    protocol = paper_protocol(session=session, consultation=consultation)
    deleted = consultation.electorate_deleted_at is not None
    if deleted:
        # The paper marks went with the voters; the consultation kept their number.
        marks = consultation.paper_count or 0
        districts: set[str] = set()
    else:
        # Every paper mark has its voter, so the per-district counts add up to all marks.
        by_district = paper_marks_by_district(session=session, consultation_id=consultation.id)
        marks = sum(by_district.values())
        districts = set(by_district)
    if not marks and not protocol:
        return None
    online_ballots = data["turnout"]["ballots"]
    eligible = data["turnout"]["eligible"]
    minimum = int(data["turnout"].get("minimum_cell", 0))
    methods = {question["key"]: question["method"] for question in data["questions"]}
    hidden = hidden_districts(protocol, methods, minimum)
    questions = []
    online_only = []
    for question in data["questions"]:
        if question["method"] not in COUNTABLE_METHODS:
            online_only.append(question["key"])
            continue
        entries = [e for e in protocol if e["question"] == question["key"]]
        if deleted:
            # A confirmed count covers exactly its district's paper ballots, so the
            # question is complete when its counts cover all of them.
            complete = sum(paper_total(question["method"], e["figures"]) for e in entries) == marks
        else:
            complete = districts <= {e["district"] for e in entries}
        paper: dict[str, int] | None = {}
        for entry in entries:
            for name, n in entry["figures"].items():
                paper[name] = paper.get(name, 0) + n
        if not complete:
            # Its total covers only some districts: it must not be a small cell itself, nor
            # give away the hidden ones among them. (Complete, it is the combined result
            # minus the online one, published either way.)
            sizes = {e["district"]: paper_total(question["method"], e["figures"]) for e in entries}
            covered = sum(sizes.values())
            held = sum(n for district, n in sizes.items() if district in hidden)
            if 0 < covered < minimum or 0 < held < minimum:
                paper = None
        item: dict[str, Any] = {"key": question["key"], "complete": complete, "paper": paper}
        if complete and paper is not None:
            item["combined"] = combine_question(question, paper, eligible)
        questions.append(item)
    return {
        "ballots": marks,
        "turnout": {
            "eligible": eligible,
            "online": online_ballots,
            "paper": marks,
            "combined": online_ballots + marks,
        },
        "minimum_cell": minimum,
        "protocol": [
            {**entry, "figures": None, "suppressed": True}
            if entry["district"] in hidden
            else {**entry, "suppressed": False}
            for entry in protocol
        ],
        "questions": questions,
        "online_only": online_only,
    }
