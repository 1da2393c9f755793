"""The published demo: one question of every counting method, voted online and on paper.

A newcomer, a reporter or a city trying the platform sees every kind of result page, chart
and download after `make run` without setting anything up. The consultation goes the whole
way through the same services as a real one: announced and opened with an invented
electorate, voted online by polling code, polling cards returned by post, closed early by
two staff members, its paper ballots keyed twice, counted, and published by a second person.
The answers are drawn from a fixed seed, so every run shows the same result.
"""

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from ballots.casting import PollingCode, cast_ballot
from ballots.definition import find_definition
from ballots.signed_steps import Signing, take_step
from results.services import count_consultation, publish_result
from voting.consultations.services import load_consultation, parse_spec
from voting.core.lifecycle import find_consultation, request_early_close
from voting.electorate.services import Letter, RegisterRow, open_with_electorate
from voting.paper.ballot_entry import PaperBallot, key_paper_ballot
from voting.paper.services import mark_paper_ballot

DEFINITION = Path(__file__).with_name("showcase.json")
DISTRICTS = ("Innenstadt-West", "Innenstadt-Ost", "Erfenbach", "Morlautern", "Hohenecken")
ELECTORATE = 60
ONLINE = 34  # votes cast online
PAPER = 9  # sheets returned by post and keyed, one of them invalid as a whole
SEED = 2027


@dataclass(frozen=True)
class Staff:
    """The two demo staff members: one counts and asks to close early, the other approves."""

    first: str
    second: str


def _register() -> list[RegisterRow]:
    return [
        RegisterRow(
            line=i + 2,
            person_id=f"SHOW-{i + 1:04d}",
            given_name="Demo",
            family_name=f"Person {i + 1}",
            street=f"Beispielweg {i + 1}",
            postal_code="67657",
            city="Kaiserslautern",
            district=DISTRICTS[i % len(DISTRICTS)],
            birth_date=None,
            birth_year=1940 + i,
        )
        for i in range(ELECTORATE)
    ]


def _answer(question: dict[str, Any], rng: random.Random) -> Any:
    """Return one plausible answer to a question of the showcase; now and then a blank."""
    method = question["method"]
    if rng.random() < 0.06:
        return None
    if method == "yes_no":
        return rng.choices(["yes", "no", "abstain"], weights=[6, 4, 1])[0]
    options = [o["key"] for o in question["options"]]
    # The first options are liked a little more, so that results are not a coin toss.
    weights = [len(options) - i + 1 for i in range(len(options))]
    ranked = sorted(options, key=lambda o: rng.random() / weights[options.index(o)])
    if method == "single":
        return ranked[0]
    if method == "approval":
        most = question["params"]["max_choices"]
        return sorted(ranked[: rng.randint(1, most)], key=options.index)
    if method in ("pb_greedy", "pb_equal_shares"):
        # Projects in order of liking while they fit the budget: a ballot over it is refused.
        costs, left, chosen = question["params"]["costs"], question["params"]["budget"], []
        for option in ranked[: rng.randint(1, 3)]:
            if costs[option] <= left:
                chosen.append(option)
                left -= costs[option]
        return sorted(chosen, key=options.index)
    if method in ("borda", "schulze", "irv", "stv"):
        return ranked[: rng.randint(2, len(options))]
    best = len(question["params"]["grades"]) - 1
    return {o: max(0, best - ranked.index(o) - rng.randint(0, 1)) for o in options}


def load_showcase(
    *,
    session: Session,
    pseudonym_key: str,
    signing: Signing,
    staff: Staff,
    now: Callable[[], datetime],
) -> str:
    """Run the showcase from announcement to publication once; return what to tell the user."""
    data = json.loads(DEFINITION.read_text(encoding="utf-8"))
    if find_consultation(session=session, slug=data["slug"]) is not None:
        return "Published demo already loaded."
    start = now().replace(minute=0, second=0, microsecond=0)
    data["period"] = {
        "opens_at": start.isoformat(),
        "closes_at": (start + timedelta(weeks=4)).isoformat(),
    }
    consultation, _ = load_consultation(session=session, spec=parse_spec(data), actor="demo")
    letters: list[Letter] = []
    open_with_electorate(
        session=session,
        consultation=consultation,
        rows=_register(),
        pseudonym_key=pseudonym_key,
        write_letter=letters.append,
        actor="demo",
        signing=signing,
    )
    rng = random.Random(SEED)
    ballot = find_definition(session=session, consultation_id=consultation.id)
    assert ballot is not None
    questions = data["questions"]
    for letter in letters[:ONLINE]:
        content = {q["key"]: _answer(q, rng) for q in questions}
        cast_ballot(
            session=session,
            consultation=ballot,
            credential=PollingCode(letter.code),
            answers=content,
            pseudonym_key=pseudonym_key,
            signer=signing.signer,
            now=now(),
        )
    for letter in letters[ONLINE : ONLINE + PAPER]:
        mark_paper_ballot(
            session=session,
            consultation=consultation,
            code=letter.code,
            pseudonym_key=pseudonym_key,
            actor=staff.first,
        )
    request_early_close(
        session=session,
        consultation=consultation,
        actor=staff.first,
        reason="Demo: sofort ausgezählt, damit jede Ergebnisseite zu sehen ist.",
        now=now(),
    )
    take_step(
        session=session,
        consultation=consultation,
        action="close",
        actor=staff.second,
        signing=signing,
        now=now(),
    )
    session.commit()  # each step in its own transaction, as staff take them
    ballot = find_definition(session=session, consultation_id=consultation.id)
    assert ballot is not None
    for sheet in range(1, PAPER + 1):
        answers = {q["key"]: _answer(q, rng) for q in questions}
        entry = PaperBallot(sheet, answers, invalid=sheet == PAPER)
        for actor in (staff.first, staff.second):
            key_paper_ballot(
                session=session,
                consultation=ballot,
                ballot=entry,
                actor=actor,
                signer=signing.signer,
                now=now(),
            )
    count_consultation(
        session=session,
        consultation=consultation,
        actor=staff.first,
        min_district_ballots=signing.suppression_threshold,
        signing=signing,
    )
    publish_result(session=session, consultation=consultation, actor=staff.second)
    return f"Published demo “{consultation.title}”: every method, online and on paper."
