"""The site map's types and the data it needs: consultation states, residents, proposals, jobs."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlmodel import Session

from ballots.definition import find_definition
from ballots.models import Ballot
from tests.conftest import PSEUDONYM_KEY, SIGNER, make_resident, password_hash
from voting.core.lifecycle import find_consultation
from voting.core.models import Question, StaffUser
from voting.paper.ballot_entry import PaperBallot, key_paper_ballot
from voting.paper.services import enter_paper_count, mark_paper_ballot
from voting.plans.services import ProjectFields, save_project
from voting.proposals.services import ProposalFields, moderate_proposal, submit_proposal
from voting.residents.models import ResidentAccount
from voting.residents.services import confirmation_token, issue_residency_code
from voting.web.jobs import create_job

# Every stored state a consultation page can show, by slug.
OPEN, PUBLISHED, TALLIED, CLOSED, SCHEDULED, DRAFT = (
    "stadtpark",
    "ergebnis",
    "ausgezaehlt",
    "geschlossen",
    "angekuendigt",
    "entwurf",
)
# Residents by role: a verified one (on the open consultation's register) and a newcomer.
RESIDENTS = {"resident": "erika@example.org", "newcomer": "neu@example.org"}
# Staff usernames by role: real names, not role words that the interface translates.
USERNAMES = {"admin": "hauptamt", "editor": "presseamt", "auditor": "rechnungspruefung"}


@dataclass
class Extra:
    """Ids, codes and tokens of stored rows that the pages and forms refer to."""

    tracking_code: str = ""
    confirm_token: str = ""
    residency_code: str = ""
    published_proposal: int = 0
    revisable_proposal: int = 0
    submitted_proposal: int = 0
    option_question: int = 0
    project: int = 0
    job: int = 0
    paper_count: int = 0
    disputed_sheet: int = 0
    auditor: int = 0


@dataclass
class Site:
    """The data ``populate`` stored: slugs by state, the unused codes of the open one."""

    codes: list[str]
    slugs: dict[str, str] = field(default_factory=dict)
    extra: Extra = field(default_factory=Extra)


@dataclass(frozen=True)
class Visit:
    """One GET request a visitor makes: endpoint, URL values, who, what comes back."""

    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)
    role: str | None = None
    kind: str = "html"  # html | embed | json | image | file | redirect
    name: str = ""

    @property
    def label(self) -> str:
        """Return a short name for reports."""
        who = f" as {self.role}" if self.role else ""
        return f"{self.endpoint}{' ' + self.name if self.name else ''}{who}"


@dataclass(frozen=True)
class FormCase:
    """One form: where it posts, who may send it, the fields of a valid submission."""

    endpoint: str
    values: dict[str, Any]
    fields: dict[str, Any]
    role: str | None = None
    # Fields the fuzzer fills with junk; a form of buttons only gets junk tokens.
    fuzzed: tuple[str, ...] = ()
    name: str = ""
    # An API for programs: JSON without a CSRF token (it changes nothing stored).
    csrf: bool = True

    @property
    def label(self) -> str:
        """Return a short name for reports."""
        extra = self.name or self.values.get("action", "")
        return f"{self.endpoint}{' ' + extra if extra else ''}"


def proposal(session: Session, author: ResidentAccount, title: str, decision: str = "") -> int:
    """Store a proposal of ``author``, moderated with ``decision`` unless that is empty."""
    fields = ProposalFields(
        title=title, text="Mehr Schatten im Sommer.", district="Innenstadt", cost_estimate=15000
    )
    item = submit_proposal(session=session, author=author, fields=fields)
    if decision:
        moderate_proposal(
            session=session,
            proposal=item,
            decision=decision,
            note="" if decision == "publish" else "Bitte nennen Sie den Ort genauer.",
            actor="test",
            now=datetime.now(UTC),
            support_days=60,
        )
    assert item.id is not None
    return item.id


def populate_more(
    app: Flask,
    session: Session,
    *,
    published: str,
    draft: str,
    closed: tuple[str, list[str]],
) -> Extra:
    """Store residents, proposals, a planned project, a job, a paper count; return their ids."""
    now = datetime.now(UTC)
    extra = Extra()
    extra.tracking_code = (
        session.execute(select(Ballot.tracking_code).order_by(Ballot.leaf_index)).scalars().first()
        or ""
    )
    # The verified resident is the open consultation's first voter (P00000).
    erika = make_resident(session, "erika@example.org", "P00000")
    author = make_resident(session, "autor@example.org", "P00001")
    make_resident(session, "neu@example.org", None)
    extra.residency_code = issue_residency_code(
        session=session, person_id="P00002", pseudonym_key=PSEUDONYM_KEY, now=now, valid_days=1
    )
    unconfirmed = ResidentAccount(email="unbestaetigt@example.org", password_hash=password_hash())
    session.add(unconfirmed)
    session.flush()
    extra.confirm_token = confirmation_token(
        secret_key=app.config["SECRET_KEY"], account=unconfirmed
    )
    extra.published_proposal = proposal(session, author, "Trinkbrunnen am Stiftsplatz", "publish")
    extra.revisable_proposal = proposal(session, erika, "Bänke am Lauterufer", "request_changes")
    extra.submitted_proposal = proposal(session, author, "Radständer am Bahnhof")
    draft_item = find_consultation(session=session, slug=draft)
    assert draft_item is not None
    extra.option_question = next(
        q.id
        for q in session.exec(
            select(Question).where(Question.consultation_id == draft_item.id)
        ).scalars()
        if q.method != "yes_no"
    )
    published_item = find_consultation(session=session, slug=published)
    assert published_item is not None and published_item.id is not None
    project = save_project(
        session=session,
        project=None,
        fields=ProjectFields(
            title="Umgestaltung Stiftsplatz",
            timeframe="Frühjahr 2027",
            participation_form="Online-Befragung",
            description="Neue Bäume und Bänke.",
            district="Innenstadt",
            consultation_ids=[published_item.id],
            proposal_ids=[extra.published_proposal],
        ),
        actor="test",
    )
    extra.project = project.id or 0
    extra.job = (
        create_job(
            session=session,
            kind="import",
            actor=USERNAMES["editor"],
            consultation_id=published_item.id,
        ).id
        or 0
    )
    # Two polling cards of the closed consultation came back by post and are counted.
    closed_item = find_consultation(session=session, slug=closed[0])
    assert closed_item is not None
    for code in closed[1]:
        mark_paper_ballot(
            session=session,
            consultation=closed_item,
            code=code,
            pseudonym_key=PSEUDONYM_KEY,
            actor=USERNAMES["editor"],
        )
    extra.paper_count = (
        enter_paper_count(
            session=session,
            consultation=closed_item,
            district="Innenstadt",
            question_key="nutzung",
            figures={"garten": 2, "spielplatz": 0, "parken": 0, "blank": 0, "invalid": 0},
            actor=USERNAMES["editor"],
            now=now,
        ).id
        or 0
    )
    # One sheet of the closed consultation keyed twice, differently: a third person settles it.
    definition = find_definition(session=session, consultation_id=closed_item.id)
    assert definition is not None
    extra.disputed_sheet = 1
    for actor, answer in (("anna", "yes"), ("bernd", "no")):
        key_paper_ballot(
            session=session,
            consultation=definition,
            ballot=PaperBallot(extra.disputed_sheet, {"brunnen": answer}),
            actor=actor,
            signer=SIGNER,
            now=now,
        )
    extra.auditor = session.execute(
        select(StaffUser.id).where(StaffUser.username == USERNAMES["auditor"])
    ).scalar_one()
    session.commit()
    return extra
