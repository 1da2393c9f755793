"""Who voted (participation) kept apart from what was voted (ballot).

Nothing links the two: no foreign key, no time, no shared order.
"""

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from voting.core.models import UTCDateTime, utcnow


class Participation(SQLModel, table=True):
    """The mark in the electoral roll: this voter has voted. No time, no ballot."""

    # WITHOUT ROWID: SQLite keeps the rows in key order, not in the order of voting.
    __table_args__ = {"sqlite_with_rowid": False}

    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
    voter_id: int = Field(foreign_key="voter.id", primary_key=True)


class PaperMark(SQLModel, table=True):
    """This voter's participation mark was set by a paper ballot, not online."""

    __tablename__ = "paper_mark"
    # Like the participation mark: key order only, not the order of arrival.
    __table_args__ = {"sqlite_with_rowid": False}

    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
    voter_id: int = Field(foreign_key="voter.id", primary_key=True)


class Ballot(SQLModel, table=True):
    """What one voter chose, with a random tracking code and its place in the log; no voter."""

    __table_args__ = (
        UniqueConstraint("consultation_id", "leaf_index", name="uq_ballot_leaf_index"),
    )

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    # None for a paper ballot: keyed by staff after the close, it has no receipt to check.
    tracking_code: str | None = Field(default=None, max_length=20, unique=True)
    channel: str = Field(default="online", max_length=10)  # online | paper
    # Canonical JSON (RFC 8785 for our data): {"question key": answer}.
    content: str
    # The leaf's secret salt (ballots.commitment), published with the content; None only
    # for ballots cast before leaves were salted.
    salt: str | None = Field(default=None, max_length=64)
    district: str = Field(default="", max_length=100)
    # Position in the consultation's public log, from 0, gapless; and the leaf's hash (hex).
    leaf_index: int
    leaf_hash: str = Field(max_length=64)


class LogState(SQLModel, table=True):
    """The head of one consultation's ballot log: appends lock this row and update it."""

    __tablename__ = "log_state"

    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
    tree_size: int = 0
    # The compact frontier: hex roots of the perfect subtrees, largest first, comma-separated.
    frontier: str = Field(default="", sa_type=Text)
    root_hash: str = Field(max_length=64)
    # The hash of the consultation's definition in force (ballots.statements), named by
    # every tree head; set when a definition is signed.
    definition: str | None = Field(default=None, max_length=64)


class SignedStatement(SQLModel, table=True):
    """A signed definition of a consultation (version 1, 2, …) or its closing head (kind
    "closing", version 1); all of them are published with the bundle."""

    __tablename__ = "signed_statement"

    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=20)
    version: int = Field(primary_key=True)
    hash: str = Field(max_length=64)
    # The statement as canonical JSON.
    body: str = Field(sa_type=Text)


class TreeHead(SQLModel, table=True):
    """A signed tree head, i.e. a receipt as issued; every one of them is public."""

    __tablename__ = "tree_head"

    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
    tree_size: int = Field(primary_key=True)
    # The signed receipt as canonical JSON.
    body: str = Field(sa_type=Text)


class TurnoutCounter(SQLModel, table=True):
    """Ballots cast per consultation and hour: turnout over time without timestamps."""

    __tablename__ = "turnout_counter"

    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
    hour: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    ballots: int = 0


class SigningKey(SQLModel, table=True):
    """A published receipt-signing public key; old keys stay published after rotation."""

    __tablename__ = "signing_key"

    key_id: str = Field(primary_key=True, max_length=64)
    public_key: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PaperBallotEntry(SQLModel, table=True):
    """One returned paper ballot, keyed twice by two staff members who cannot see each other's.

    ``sheet`` is the number staff write on the ballot when they take it from its envelope,
    after the envelopes of all returned cards were mixed: it names the sheet, never a voter.
    A content is canonical JSON of the answers, or None for a ballot that is invalid as a
    whole. Once both entries agree (or a third person settled them) the ballot is appended
    to the log as a paper leaf and ``leaf_index`` set.
    """

    __tablename__ = "paper_ballot_entry"
    __table_args__ = (UniqueConstraint("consultation_id", "sheet", name="uq_paper_ballot_sheet"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    sheet: int
    first_by: str = Field(max_length=80)
    first_content: str | None = Field(default=None, sa_type=Text)
    first_invalid: bool = False
    second_by: str | None = Field(default=None, max_length=80)
    second_content: str | None = Field(default=None, sa_type=Text)
    second_invalid: bool = False
    settled_by: str | None = Field(default=None, max_length=80)
    # ballots.paper_ballots: WAITING, DISPUTED or COUNTED
    status: str = Field(default="waiting", max_length=10)
    invalid: bool = False
    leaf_index: int | None = None
