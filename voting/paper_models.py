"""The paper channel: which polling cards came back by post, and the double-entered counts."""

from datetime import datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from voting.models import UTCDateTime, utcnow


class PaperMark(SQLModel, table=True):
    """This voter's participation mark was set by a paper ballot, not online."""

    __tablename__ = "paper_mark"
    # Like the participation mark: key order only, not the order of arrival.
    __table_args__ = {"sqlite_with_rowid": False}

    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
    voter_id: int = Field(foreign_key="voter.id", primary_key=True)


class PaperCount(SQLModel, table=True):
    """The paper count of one question in one district, entered by one staff member.

    It counts once a second, different staff member has entered the same figures.
    """

    __tablename__ = "paper_count"
    __table_args__ = (UniqueConstraint("consultation_id", "district", "question_key"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    district: str = Field(max_length=100)
    question_key: str = Field(max_length=40)
    # {"option key": n, ..., "blank": n, "invalid": n} (approval also "voted": n).
    figures: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    entered_by: str = Field(max_length=80)
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_by: str | None = Field(default=None, max_length=80)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
